import FireflySettings
import Configuration
import FoundationEssentials
import Logging
import SystemPackage

/// The pool's settings, resolved from the configuration file and the environment and validated.
public struct FireflyConfiguration: Sendable, Equatable {
    /// Where and how the pool listens.
    public var listenSocket: String
    public var listenSocketMode: UInt32
    public var listenBacklog: Int
    /// Folder for the pool status document.
    public var runtimeDirectory: String
    /// Worker pool shape and timing.
    public var pool: PoolSettings
    /// Per-request limits.
    public var limits: RequestLimits
    /// PostgreSQL connection.
    public var database: DatabaseSettings
    /// Minimum level of log lines.
    public var logLevel: Logger.Level
    /// Whether the `/api/_test/*` routes exist.
    public var testRoutesEnabled: Bool
    /// How long audit rows are kept (0: forever); see `firefly-admin sweep`.
    public var auditRetentionMilliseconds: Int
    /// OIDC providers, sessions, vault key.
    public var identity: IdentitySettings
    /// Databricks calls, SQL waiting, metadata cache.
    public var gateway: GatewaySettings
    /// Minting embed URLs for the app proxy.
    public var appProxy: AppProxySettings
    /// Fair use: in-flight API requests per user and per organization in one worker process.
    public var fairUse: FairUseLimits
    /// Every key's resolved text value; handed to workers so that they run the configuration the
    /// master validated, even if the file changes later without a reload.
    public var resolvedValues: [String: String]

    /// Loads `filePath` (KEY=value lines) with `environment` taking precedence, then validates.
    public static func load(filePath: String?, environment: [String: String]) async throws -> FireflyConfiguration {
        var fileProvider: EnvironmentVariablesProvider?
        if let filePath {
            try ConfigurationFileLint.check(path: filePath)
            fileProvider = try await EnvironmentVariablesProvider(environmentFilePath: .init(filePath))
        }
        let environmentProvider = EnvironmentVariablesProvider(environmentVariables: environment)
        let reader = ConfigReader(providers: fileProvider.map { [environmentProvider, $0] } ?? [environmentProvider])
        return try resolve(reader: reader, environment: environment)
    }

    /// Loads from environment variables only (how workers receive the master's resolved values).
    public static func load(environment: [String: String]) throws -> FireflyConfiguration {
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
        return try resolve(reader: reader, environment: environment)
    }

    /// `dbfs:/…/` folders, `{org}` allowed as a whole segment; empty text = none.
    static func dbfsPrefixes(_ text: String) throws -> [String] {
        try text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }.map { prefix in
            let segments = prefix.dropFirst("dbfs:/".count).split(separator: "/", omittingEmptySubsequences: false)
            guard prefix.hasPrefix("dbfs:/"), prefix.hasSuffix("/"), segments.count >= 2,
                  segments.dropLast().allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && (!$0.contains("{") || $0 == "{org}") }) else {
                throw ConfigurationError(key: "FIREFLY_DBFS_ALLOWED_PREFIXES",
                                         problem: "expected folders such as dbfs:/FileStore/firefly/{org}/ (ending in /), got \"\(prefix)\"")
            }
            return prefix
        }
    }

    private static func resolve(reader: ConfigReader, environment: [String: String]) throws -> FireflyConfiguration {
        var settings = try ResolvedSettings(keys: ConfigurationKeys.all) { reader.string(forKey: ConfigKey([$0.lowercased()])) }
        // Per-provider keys, named after the providers listed.
        for name in settings.text("FIREFLY_OIDC_PROVIDERS").split(separator: ",") {
            for suffix in OIDCProviderSettings.keySuffixes {
                let key = OIDCProviderSettings.key(String(name.trimmingSpaces), suffix)
                if let text = reader.string(forKey: ConfigKey([key.lowercased()])), !text.isEmpty { settings.set(key, text) }
            }
        }
        return try FireflyConfiguration(settings: settings, environment: environment)
    }

    /// Validates resolved text values.
    init(values: [String: String], environment: [String: String]) throws {
        try self.init(settings: ResolvedSettings(values: values), environment: environment)
    }

    /// Validates resolved settings.
    init(settings: ResolvedSettings, environment: [String: String]) throws {
        let values = settings.values
        listenSocket = try settings.absolutePath("FIREFLY_LISTEN_SOCKET")
        listenSocketMode = try settings.fileMode("FIREFLY_LISTEN_SOCKET_MODE")
        listenBacklog = try settings.integer("FIREFLY_LISTEN_BACKLOG", range: 16...65535)
        runtimeDirectory = try settings.absolutePath("FIREFLY_RUNTIME_DIRECTORY")
        pool = PoolSettings(
            workers: try settings.integer("FIREFLY_POOL_WORKERS", range: 1...256),
            threadsPerWorker: try settings.integer("FIREFLY_POOL_THREADS", range: 1...1024),
            maxRequests: try settings.integer("FIREFLY_POOL_MAX_REQUESTS", range: 0...Int(Int32.max)),
            keepAliveIdleTimeoutMilliseconds: try settings.duration("FIREFLY_POOL_KEEPALIVE_IDLE_TIMEOUT", range: 100...3_600_000),
            drainTimeoutMilliseconds: try settings.duration("FIREFLY_POOL_DRAIN_TIMEOUT", range: 0...3_600_000),
            startTimeoutMilliseconds: try settings.duration("FIREFLY_POOL_START_TIMEOUT", range: 100...600_000)
        )
        limits = RequestLimits(
            slowThresholdMilliseconds: try settings.duration("FIREFLY_REQUEST_SLOW_THRESHOLD", range: 1...3_600_000),
            timeoutMilliseconds: try settings.duration("FIREFLY_REQUEST_TIMEOUT", range: 100...3_600_000),
            maxHeaderBytes: try settings.byteSize("FIREFLY_REQUEST_MAX_HEADER_BYTES", range: 1024...(1 << 20)),
            maxBodyBytes: try settings.byteSize("FIREFLY_REQUEST_MAX_BODY_BYTES", range: 0...(1 << 40))
        )
        database = try DatabaseSettings(
            url: settings.text("FIREFLY_DATABASE_URL"),
            passwordFile: settings.optionalText("FIREFLY_DATABASE_PASSWORD_FILE"),
            credentialsDirectory: environment["CREDENTIALS_DIRECTORY"]
        )
        guard let level = Logger.Level(rawValue: settings.text("FIREFLY_LOG_LEVEL").lowercased()) else {
            throw ConfigurationError(key: "FIREFLY_LOG_LEVEL", problem: "expected one of trace, debug, info, notice, warning, error, critical, got \"\(settings.text("FIREFLY_LOG_LEVEL"))\"")
        }
        logLevel = level
        testRoutesEnabled = try settings.boolean("FIREFLY_TEST_ROUTES")
        auditRetentionMilliseconds = try settings.duration("FIREFLY_AUDIT_RETENTION", range: 0...(3650 * 86_400_000))
        guard auditRetentionMilliseconds == 0 || auditRetentionMilliseconds >= 86_400_000 else {
            throw ConfigurationError(key: "FIREFLY_AUDIT_RETENTION", problem: "must be 0 (keep forever) or at least 1d")
        }
        identity = try IdentitySettings.parse(values, environment: environment)
        let sqlWait = try settings.duration("FIREFLY_SQL_WAIT_TIMEOUT", range: 0...50_000) / 1000
        guard sqlWait == 0 || sqlWait >= 5 else {
            throw ConfigurationError(key: "FIREFLY_SQL_WAIT_TIMEOUT", problem: "must be 0s or between 5s and 50s (Databricks' wait_timeout)")
        }
        gateway = GatewaySettings(
            timeoutMilliseconds: try settings.duration("FIREFLY_DATABRICKS_TIMEOUT", range: 1000...600_000),
            retryBudgetMilliseconds: try settings.duration("FIREFLY_DATABRICKS_RETRY_BUDGET", range: 0...600_000),
            caFile: settings.optionalText("FIREFLY_DATABRICKS_CA_FILE"),
            sqlWaitSeconds: sqlWait,
            cacheTTLMilliseconds: try settings.duration("FIREFLY_CACHE_TTL", range: 0...86_400_000),
            smallUploadLimitBytes: try settings.byteSize("FIREFLY_UPLOAD_SMALL_LIMIT", range: 1...(5 << 30)),
            uploadDirectory: try settings.absolutePath("FIREFLY_UPLOAD_DIRECTORY"),
            uploadMaxBytes: try settings.byteSize("FIREFLY_UPLOAD_MAX_SIZE", range: 1...(5 << 30)),
            uploadUserQuotaBytes: try settings.byteSize("FIREFLY_UPLOAD_USER_QUOTA", range: 1...(1 << 50)),
            uploadExpirySeconds: try settings.duration("FIREFLY_UPLOAD_EXPIRY", range: 60_000...(30 * 86_400_000)) / 1000,
            uploadFollowIdleMilliseconds: try settings.duration("FIREFLY_UPLOAD_FOLLOW_IDLE_TIMEOUT", range: 0...600_000),
            dbfsAllowedPrefixes: try Self.dbfsPrefixes(settings.text("FIREFLY_DBFS_ALLOWED_PREFIXES")))
        fairUse = FairUseLimits(
            userRequests: try settings.integer("FIREFLY_LIMIT_USER_REQUESTS", range: 1...4096),
            organizationRequests: try settings.integer("FIREFLY_LIMIT_ORGANIZATION_REQUESTS", range: 1...4096))
        var appBase = settings.text("FIREFLY_APP_PROXY_BASE_URL")
        while appBase.hasSuffix("/") { appBase.removeLast() }
        if !appBase.isEmpty {
            guard appBase.hasPrefix("https://") || appBase.hasPrefix("http://"),
                  appBase.split(separator: "/", omittingEmptySubsequences: false).count == 3 else {
                throw ConfigurationError(key: "FIREFLY_APP_PROXY_BASE_URL", problem: "expected the parent of the app origins, such as https://apps.example.com")
            }
            guard appBase != identity.publicOrigin else {
                throw ConfigurationError(key: "FIREFLY_APP_PROXY_BASE_URL", problem: "must be a host name of its own, never FireFly's origin (apps could call FireFly's API with the user's session)")
            }
        }
        appProxy = AppProxySettings(
            keyFile: settings.optionalText("FIREFLY_APP_PROXY_KEY_FILE"), baseURL: appBase,
            tokenLifetimeSeconds: try settings.duration("FIREFLY_APP_PROXY_TOKEN_LIFETIME", range: 10_000...3_600_000) / 1000,
            domains: Set(settings.text("FIREFLY_APP_DOMAINS").split(separator: ",").map { String($0).trimmingSpaces.lowercased() }.filter { !$0.isEmpty }),
            credentialsDirectory: environment["CREDENTIALS_DIRECTORY"])
        resolvedValues = values
    }
}

