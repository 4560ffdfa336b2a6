import FireflySettings
import FoundationEssentials

/// Settings of `firefly-proxy`, from its configuration file (`KEY=value` lines) and the environment
/// (which wins). The seed's names are kept for the key, the app-domain suffix and the port.
public struct ProxyConfiguration: Sendable {
    /// Where the proxy listens: a unix socket (nginx on the same host) or a loopback TCP port.
    public enum Listener: Sendable, Equatable {
        case unixSocket(path: String, mode: UInt32)
        case tcp(host: String, port: Int)
    }

    public var listener: Listener
    /// 32-byte key of the token envelope, as 64 hex characters.
    public var keyHex: String
    /// Last label(s) of app hosts: `{app}.{provider}.{domain}.{suffix}`.
    public var appDomainSuffix: String
    /// Domains routes may name.
    public var appDomains: Set<String>
    /// The parent of the app origins (e.g. `https://apps.example.com`): each app is served at
    /// `https://{app}--{org}.apps.example.com`, whose own origin alone gets its cookie and may open
    /// its WebSockets.
    public var appOrigin: String
    /// The app origins below `appOrigin`.
    public var appOrigins: AppOrigins
    /// PostgreSQL, where sessions live and embed URLs' first uses are recorded.
    public var database: DatabaseSettings
    /// Connections the proxy keeps to PostgreSQL.
    public var databaseConnections: Int
    /// How long a session found alive is trusted without asking PostgreSQL again.
    public var sessionCheckIntervalMilliseconds: Int
    /// Origins allowed to frame apps (`frame-ancestors`): FireFly's own.
    public var frameAncestors: [String]
    /// Origins answered with CORS headers (credentials allowed, never `*`).
    public var corsOrigins: Set<String>
    /// Extra CA bundle (PEM) trusted for upstream TLS besides the system store.
    public var caFile: String?
    /// `host:port` → address override, skipping DNS and the private-address refusal.
    public var resolveOverrides: [String: ResolveOverride]
    public var connectTimeoutMilliseconds: Int
    /// An HTTP exchange with no bytes either way this long is ended (504 before the response head).
    public var idleTimeoutMilliseconds: Int
    /// A WebSocket with no bytes either way this long is closed.
    public var webSocketIdleTimeoutMilliseconds: Int
    /// Largest request or response header section.
    public var maxHeaderBytes: Int
    /// `SameSite` attribute of the token cookie.
    public var cookieSameSite: String
    /// App hosts on another site than FireFly's (`SameSite=None`): cookies must be cross-site ones.
    public var cookiesCrossSite: Bool { cookieSameSite == "None" }
    /// Event-loop threads (0 = one per core).
    public var threads: Int
    public var legacyTokens: LegacyTokenPolicy
    public var logLevel: String
    /// Loopback `host:port` of `/healthz`, `/status` and `/metrics`; nil when off.
    public var statusListener: ResolveOverride?
    /// How long SIGTERM waits for forwarded exchanges to finish before closing what is left.
    public var drainTimeoutMilliseconds: Int

    /// Where one `host:port` is really reached.
    public struct ResolveOverride: Sendable, Equatable {
        public let address: String
        public let port: Int

        public init(address: String, port: Int) {
            self.address = address
            self.port = port
        }
    }

    /// One documented key.
    public typealias Key = SettingKey

    /// Every key, in the order the README documents them.
    public static let keys: [Key] = [
        Key(name: "ENCRYPTION_KEY", defaultValue: "", meaning: "The token key, 64 hex characters (environment only, as in the seed; prefer ENCRYPTION_KEY_FILE)."),
        Key(name: "ENCRYPTION_KEY_FILE", defaultValue: "", meaning: "File with the token key ring, one key per line, the sealing key first (default: the systemd credential app-proxy-key). Same file as FIREFLY_APP_PROXY_KEY_FILE."),
        Key(name: "APP_DOMAIN_SUFFIX", defaultValue: "com", meaning: "Suffix of app hosts: {app}.{provider}.{domain}.{suffix}."),
        Key(name: "PORT", defaultValue: "8090", meaning: "Loopback TCP port, used when no socket is configured."),
        Key(name: "FIREFLY_PROXY_LISTEN_ADDRESS", defaultValue: "127.0.0.1", meaning: "Address the TCP port binds (loopback unless nginx runs elsewhere)."),
        Key(name: "FIREFLY_PROXY_LISTEN_SOCKET", defaultValue: "", meaning: "Unix socket to listen on instead of the port (--listen-socket wins)."),
        Key(name: "FIREFLY_PROXY_LISTEN_SOCKET_MODE", defaultValue: "0660", meaning: "File mode of that socket."),
        Key(name: "FIREFLY_PROXY_APP_ORIGIN", defaultValue: nil, meaning: "Parent of the app origins, e.g. https://apps.firefly.example.com: each app is served at https://{app}--{org}.apps.firefly.example.com (same as FIREFLY_APP_PROXY_BASE_URL)."),
        Key(name: "FIREFLY_PROXY_FRAME_ANCESTORS", defaultValue: nil, meaning: "Comma-separated origins allowed to frame apps: FireFly's own, e.g. https://firefly.example.com."),
        Key(name: "FIREFLY_PROXY_APP_DOMAINS", defaultValue: "databricksapps", meaning: "Comma-separated app domains routes may name."),
        Key(name: "FIREFLY_PROXY_CORS_ORIGINS", defaultValue: "", meaning: "Comma-separated origins given CORS access with credentials (never *)."),
        Key(name: "FIREFLY_PROXY_CA_FILE", defaultValue: "", meaning: "Extra CA bundle (PEM) for app connections; the system store is always used."),
        Key(name: "FIREFLY_PROXY_RESOLVE", defaultValue: "", meaning: "Comma-separated host:443=address[:port] overrides (private links, tests); skips DNS and the private-address refusal."),
        Key(name: "FIREFLY_PROXY_CONNECT_TIMEOUT", defaultValue: "10s", meaning: "Time limit of connecting to an app (TCP and TLS)."),
        Key(name: "FIREFLY_PROXY_IDLE_TIMEOUT", defaultValue: "120s", meaning: "An HTTP exchange or kept connection silent this long is closed (504 before a response)."),
        Key(name: "FIREFLY_PROXY_WEBSOCKET_IDLE_TIMEOUT", defaultValue: "1h", meaning: "A WebSocket silent both ways this long is closed."),
        Key(name: "FIREFLY_PROXY_MAX_HEADER_BYTES", defaultValue: "32k", meaning: "Largest request or response header section."),
        Key(name: "FIREFLY_PROXY_COOKIE_SAMESITE", defaultValue: "Lax", meaning: "SameSite of the token cookie: Lax when the app host shares FireFly's site (apps.example.com; recommended), None otherwise (then the token cookie and the apps' own cookies are sent SameSite=None; Partitioned)."),
        Key(name: "FIREFLY_PROXY_THREADS", defaultValue: "0", meaning: "Event-loop threads (0 = one per core)."),
        Key(name: "FIREFLY_PROXY_DATABASE_URL", defaultValue: nil, meaning: "FireFly's PostgreSQL (libpq string or URI, no password): sessions are checked and embed URLs' first uses recorded there."),
        Key(name: "FIREFLY_PROXY_DATABASE_PASSWORD_FILE", defaultValue: "", meaning: "File with the database password (default: the systemd credential database-password)."),
        Key(name: "FIREFLY_PROXY_DATABASE_CONNECTIONS", defaultValue: "4", meaning: "PostgreSQL connections the proxy keeps."),
        Key(name: "FIREFLY_PROXY_SESSION_CHECK_INTERVAL", defaultValue: "5s", meaning: "A FireFly session found alive is trusted this long: signing out ends app access within it."),
        Key(name: "FIREFLY_PROXY_LEGACY_TOKENS", defaultValue: "false", meaning: "Accept the seed's plain tokens (no bound target) for the allowlists below."),
        Key(name: "FIREFLY_PROXY_LEGACY_PROVIDERS", defaultValue: "", meaning: "Providers plain tokens may name."),
        Key(name: "FIREFLY_PROXY_LEGACY_DOMAINS", defaultValue: "", meaning: "Domains plain tokens may name."),
        Key(name: "FIREFLY_PROXY_LEGACY_APPS", defaultValue: "", meaning: "App names (or prefixes ending in *) plain tokens may name."),
        Key(name: "FIREFLY_PROXY_LOG_LEVEL", defaultValue: "info", meaning: "trace, debug, info, notice, warning, error or critical."),
        Key(name: "FIREFLY_PROXY_STATUS_LISTEN", defaultValue: "", meaning: "Loopback address:port serving /healthz, /status (JSON) and /metrics (Prometheus), e.g. 127.0.0.1:9181; empty: off."),
        Key(name: "FIREFLY_PROXY_DRAIN_TIMEOUT", defaultValue: "20s", meaning: "On SIGTERM, how long forwarded exchanges may take to finish; then what is left (WebSockets included) is closed."),
    ]

    /// The credential holding the key under systemd.
    public static let keyCredential = "app-proxy-key"

    /// Parses the configuration file's text: `KEY=value` lines, `#` comments. Unknown keys and the
    /// key itself are refused (a typo must not be ignored; secrets live in files of their own).
    public static func parseFile(_ text: String, path: String) throws -> [String: String] {
        let known = Set(keys.map(\.name))
        var values: [String: String] = [:]
        for entry in try KeyValueFile.entries(text, path: path) {
            guard known.contains(entry.name) else { throw ConfigurationError(key: entry.name, problem: "is not a firefly-proxy setting (\(path):\(entry.line))") }
            guard entry.name != "ENCRYPTION_KEY" else {
                throw ConfigurationError(key: entry.name, problem: "must not be written in the configuration file; use ENCRYPTION_KEY_FILE or the app-proxy-key credential")
            }
            values[entry.name] = entry.value
        }
        return values
    }

    /// Resolves file values and the environment (which wins) and validates every key.
    public init(fileValues: [String: String], environment: [String: String], listenSocketOverride: String? = nil) throws {
        let settings = try ResolvedSettings(keys: Self.keys) { environment[$0] ?? fileValues[$0] }
        let P = ConfigValueParser.self

        let socket = listenSocketOverride ?? settings.text("FIREFLY_PROXY_LISTEN_SOCKET")
        if !socket.isEmpty {
            listener = .unixSocket(path: try P.absolutePath(socket, key: "FIREFLY_PROXY_LISTEN_SOCKET"),
                                   mode: try settings.fileMode("FIREFLY_PROXY_LISTEN_SOCKET_MODE"))
        } else {
            listener = .tcp(host: settings.text("FIREFLY_PROXY_LISTEN_ADDRESS"), port: try settings.integer("PORT", range: 1...65535))
        }

        if !settings.text("ENCRYPTION_KEY").isEmpty {
            keyHex = settings.text("ENCRYPTION_KEY")
        } else if let fromFile = try SecretFile.readKey(explicitPath: settings.optionalText("ENCRYPTION_KEY_FILE"),
                                                        explicitKey: "ENCRYPTION_KEY_FILE", credentialName: Self.keyCredential,
                                                        credentialsDirectory: environment["CREDENTIALS_DIRECTORY"]) {
            keyHex = fromFile
        } else {
            throw ConfigurationError(key: "ENCRYPTION_KEY", problem: "is required: set ENCRYPTION_KEY_FILE or the app-proxy-key credential")
        }
        guard (try? TokenEnvelope(keyHex: keyHex)) != nil else {
            throw ConfigurationError(key: "ENCRYPTION_KEY", problem: "must be 64 hexadecimal characters (32 bytes); a key file may hold up to \(TokenEnvelope.maximumKeys), one per line, the sealing key first")
        }

        appDomainSuffix = settings.text("APP_DOMAIN_SUFFIX").lowercased()
        guard appDomainSuffix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ AppProxyRoute.isDNSLabel(String($0)) }) else {
            throw ConfigurationError(key: "APP_DOMAIN_SUFFIX", problem: "expected DNS labels such as com, got \"\(settings.text("APP_DOMAIN_SUFFIX"))\"")
        }
        appDomains = Set(settings.list("FIREFLY_PROXY_APP_DOMAINS"))
        guard !appDomains.isEmpty, appDomains.allSatisfy(AppProxyRoute.isDNSLabel) else {
            throw ConfigurationError(key: "FIREFLY_PROXY_APP_DOMAINS", problem: "expected comma-separated DNS labels such as databricksapps")
        }
        appOrigin = try Self.origin(settings.text("FIREFLY_PROXY_APP_ORIGIN"), key: "FIREFLY_PROXY_APP_ORIGIN")
        guard let origins = AppOrigins(parentOrigin: appOrigin) else {
            throw ConfigurationError(key: "FIREFLY_PROXY_APP_ORIGIN", problem: "expected https://apps.example.com (the parent of the app hosts)")
        }
        appOrigins = origins
        database = try DatabaseSettings(url: settings.text("FIREFLY_PROXY_DATABASE_URL"),
                                        passwordFile: settings.optionalText("FIREFLY_PROXY_DATABASE_PASSWORD_FILE"),
                                        credentialsDirectory: environment["CREDENTIALS_DIRECTORY"], urlKey: "FIREFLY_PROXY_DATABASE_URL",
                                        passwordFileKey: "FIREFLY_PROXY_DATABASE_PASSWORD_FILE")
        databaseConnections = try settings.integer("FIREFLY_PROXY_DATABASE_CONNECTIONS", range: 1...64)
        sessionCheckIntervalMilliseconds = try settings.duration("FIREFLY_PROXY_SESSION_CHECK_INTERVAL",
                                                          range: 0...60_000)
        frameAncestors = try settings.list("FIREFLY_PROXY_FRAME_ANCESTORS").map { try Self.origin($0, key: "FIREFLY_PROXY_FRAME_ANCESTORS") }
        guard !frameAncestors.isEmpty else { throw ConfigurationError(key: "FIREFLY_PROXY_FRAME_ANCESTORS", problem: "is required but not set") }
        guard !frameAncestors.contains(appOrigin) else {
            throw ConfigurationError(key: "FIREFLY_PROXY_FRAME_ANCESTORS", problem: "must name FireFly's origin, not the app host's own")
        }
        corsOrigins = Set(try settings.list("FIREFLY_PROXY_CORS_ORIGINS").map { try Self.origin($0, key: "FIREFLY_PROXY_CORS_ORIGINS") })
        caFile = settings.text("FIREFLY_PROXY_CA_FILE").isEmpty ? nil : try settings.absolutePath("FIREFLY_PROXY_CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(key: "FIREFLY_PROXY_CA_FILE", problem: "cannot read \(caFile)")
        }
        resolveOverrides = try Self.parseResolve(settings.list("FIREFLY_PROXY_RESOLVE"))
        connectTimeoutMilliseconds = try settings.duration("FIREFLY_PROXY_CONNECT_TIMEOUT", range: 100...120_000)
        idleTimeoutMilliseconds = try settings.duration("FIREFLY_PROXY_IDLE_TIMEOUT", range: 1000...3_600_000)
        webSocketIdleTimeoutMilliseconds = try settings.duration("FIREFLY_PROXY_WEBSOCKET_IDLE_TIMEOUT",
                                                          range: 1000...86_400_000)
        maxHeaderBytes = try settings.byteSize("FIREFLY_PROXY_MAX_HEADER_BYTES", range: 4096...1_048_576)
        switch settings.text("FIREFLY_PROXY_COOKIE_SAMESITE").lowercased() {
        case "lax": cookieSameSite = "Lax"
        case "strict": cookieSameSite = "Strict"
        case "none": cookieSameSite = "None"
        default: throw ConfigurationError(key: "FIREFLY_PROXY_COOKIE_SAMESITE", problem: "expected Lax, Strict or None")
        }
        threads = try settings.integer("FIREFLY_PROXY_THREADS", range: 0...256)
        legacyTokens = LegacyTokenPolicy(enabled: try settings.boolean("FIREFLY_PROXY_LEGACY_TOKENS"),
                                         providers: Set(settings.list("FIREFLY_PROXY_LEGACY_PROVIDERS")), domains: Set(settings.list("FIREFLY_PROXY_LEGACY_DOMAINS")),
                                         appPatterns: settings.list("FIREFLY_PROXY_LEGACY_APPS"))
        if legacyTokens.enabled, legacyTokens.providers.isEmpty || legacyTokens.domains.isEmpty || legacyTokens.appPatterns.isEmpty {
            throw ConfigurationError(key: "FIREFLY_PROXY_LEGACY_TOKENS", problem: "needs FIREFLY_PROXY_LEGACY_PROVIDERS, _DOMAINS and _APPS allowlists")
        }
        statusListener = try Self.parseStatusListener(settings.text("FIREFLY_PROXY_STATUS_LISTEN"))
        drainTimeoutMilliseconds = try settings.duration("FIREFLY_PROXY_DRAIN_TIMEOUT", range: 1000...600_000)
        logLevel = settings.text("FIREFLY_PROXY_LOG_LEVEL").lowercased()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigurationError(key: "FIREFLY_PROXY_LOG_LEVEL", problem: "expected trace, debug, info, notice, warning, error or critical")
        }
    }

    /// `https://host[:port]` without a path, lower-cased.
    static func origin(_ text: String, key: String) throws -> String {
        let lowered = text.lowercased()
        let rest = lowered.hasPrefix("https://") ? lowered.dropFirst(8) : lowered.hasPrefix("http://") ? lowered.dropFirst(7) : nil
        guard let rest, !rest.isEmpty, !rest.contains("/"), !rest.contains("@"), !rest.contains("*"),
              rest.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" }) else {
            throw ConfigurationError(key: key, problem: "expected an origin such as https://apps.example.com, got \"\(text)\"")
        }
        return lowered
    }

    /// `127.0.0.1:9181` or `[::1]:9181`: loopback only (the status and metrics carry no secret but
    /// are for the host's own monitoring).
    static func parseStatusListener(_ text: String) throws -> ResolveOverride? {
        guard !text.isEmpty else { return nil }
        let problem = "expected a loopback address and port such as 127.0.0.1:9181 or [::1]:9181, got \"\(text)\""
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw ConfigurationError(key: "FIREFLY_PROXY_STATUS_LISTEN", problem: problem)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard host == "::1" || (host.hasPrefix("127.") && AddressPolicy.parse(host) != nil) else {
            throw ConfigurationError(key: "FIREFLY_PROXY_STATUS_LISTEN", problem: problem)
        }
        return ResolveOverride(address: host, port: port)
    }

    /// `host:port=address[:port]` entries.
    static func parseResolve(_ entries: [String]) throws -> [String: ResolveOverride] {
        var overrides: [String: ResolveOverride] = [:]
        for entry in entries {
            let sides = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard sides.count == 2, let colon = sides[0].lastIndex(of: ":"), let port = Int(sides[0][sides[0].index(after: colon)...]),
                  (1...65535).contains(port) else {
                throw ConfigurationError(key: "FIREFLY_PROXY_RESOLVE", problem: "expected host:port=address[:port], got \"\(entry)\"")
            }
            var address = sides[1], targetPort = port
            if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
                // [IPv6] or [IPv6]:port
                let after = address[address.index(after: close)...]
                if after.hasPrefix(":"), let parsed = Int(after.dropFirst()) { targetPort = parsed } else if !after.isEmpty { targetPort = 0 }
                address = String(address[address.index(after: address.startIndex)..<close])
            } else if address.filter({ $0 == ":" }).count == 1, let last = address.lastIndex(of: ":") {
                // IPv4:port
                targetPort = Int(address[address.index(after: last)...]) ?? 0
                address = String(address[..<last])
            }
            guard AddressPolicy.parse(address) != nil, (1...65535).contains(targetPort) else {
                throw ConfigurationError(key: "FIREFLY_PROXY_RESOLVE", problem: "\"\(sides[1])\" is not an IP address with an optional port")
            }
            overrides[sides[0].lowercased()] = ResolveOverride(address: address, port: targetPort)
        }
        return overrides
    }
}
