import FireflyCrypto
import FireflyHTTPClient
import FireflyPostgres
import FireflySystem
import Foundation
import ProxyCore

/// The app-proxy path end to end: the test stack's nginx (the shipped app-host routing), the real
/// `firefly-proxy` on the socket nginx forwards the app hosts to, and `scripts/app-upstream`: a TLS
/// nginx with its own CA that, like Databricks Apps, requires the bearer token, in front of
/// jupyter-server. App hosts are `{app}.aws.databricksapps.test`, reached through a resolve override.
/// Every app has an origin of its own, `https://{app}--acme.apps.localhost`; tokens are bound to a
/// real session row of organization `acme` in the stack's PostgreSQL.
final class AppProxyStack: @unchecked Sendable {
    let stack: TestStack
    let upstreamDirectory: String
    let upstreamPort: Int
    let keyHex: String
    let bearerToken = "dapi-test-" + Hex.encode((0..<12).map { _ in UInt8.random(in: 0...255) })
    let proxyLogPath: String
    private(set) var proxy: ChildProcess?
    private let envelope: TokenEnvelope
    private var stopped = false
    /// The organization the test session belongs to.
    let organization = "acme"
    /// The FireFly session the minted tokens are bound to.
    private(set) var sessionHash: [UInt8] = []

    init(_ name: String, proxySettings: [String: String] = [:], jupyter: Bool = true, echo: Bool = false, startPool: Bool = false) throws {
        stack = try TestStack(name, startPool: startPool)
        upstreamDirectory = stack.directory + "/app-upstream"
        upstreamPort = try LoopbackPort.findFree()
        keyHex = Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        envelope = try TokenEnvelope(keyHex: keyHex)
        proxyLogPath = stack.directory + "/proxy.log"
        do {
            var arguments = ["start", upstreamDirectory, "--port", "\(upstreamPort)", "--token", bearerToken]
            if jupyter { arguments += ["--jupyter-port", "\(try LoopbackPort.findFree())"] }
            if echo { arguments += ["--echo-port", "\(try LoopbackPort.findFree())"] }
            try Shell.succeed(TestStack.repository + "/scripts/app-upstream", arguments)
            sessionHash = try createSession()
            try startProxy(proxySettings)
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    /// The parent of the app origins.
    var appOrigin: String { "https://apps.localhost:\(stack.httpsPort)" }
    var fireflyOrigin: String { "https://localhost:\(stack.httpsPort)" }

    /// The host name of `app` of `organization` (the acme test organization by default).
    func host(_ app: String = "jupyter", organization: String? = nil) -> String { "\(app)--\(organization ?? self.organization).apps.localhost" }

    /// The origin of `app`.
    func origin(_ app: String = "jupyter", organization: String? = nil) -> String { "https://\(host(app, organization: organization)):\(stack.httpsPort)" }

    /// Runs SQL on the stack's database.
    @discardableResult
    func sql(_ query: SQLQuery) throws -> QueryResult {
        try PostgresConnection(connectionString: stack.databaseURL, password: nil).query(query)
    }

    /// A user of organization `acme` with a live session, as a login would leave them.
    private func createSession() throws -> [UInt8] {
        let organizationID = try sql("INSERT INTO organizations (slug, name) VALUES (\(organization), 'Acme') RETURNING id").scalar ?? ""
        let userID = try sql("INSERT INTO users (issuer, subject, email) VALUES ('test', 'alice', 'alice@acme.example') RETURNING id").scalar ?? ""
        let hash = SHA256.hash(Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255) }))
        try sql("""
            INSERT INTO sessions (id_hash, user_id, organization_id, provider, csrf_token, expires_at)
            VALUES (\(bytes: hash), \(userID)::bigint, \(organizationID)::bigint, 'test', 'csrf', now() + interval '1 hour')
            """)
        return hash
    }

    /// Signs the test user out, as `POST /auth/logout` or `firefly-admin sessions revoke` would.
    func endSession() throws {
        try sql("DELETE FROM sessions WHERE id_hash = \(bytes: sessionHash)")
    }

    /// Starts `firefly-proxy` with a configuration file (the key in a file of its own).
    func startProxy(_ settings: [String: String]) throws {
        let keyFile = stack.directory + "/app-proxy-key"
        try (keyHex + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        proxy = try Self.launchProxy(stack: stack, keyFile: keyFile, caFile: upstreamDirectory + "/ca.pem",
                                     resolve: resolve, settings: settings, logPath: proxyLogPath)
    }

    private var resolve: [String] { ["jupyter", "other"].map { "\($0).aws.databricksapps.test:443=127.0.0.1:\(upstreamPort)" } }

    /// Rewrites the running proxy's configuration file (for a reload).
    func rewriteProxyConfiguration(_ settings: [String: String]) throws {
        try Self.writeConfiguration(stack: stack, keyFile: stack.directory + "/app-proxy-key", caFile: upstreamDirectory + "/ca.pem",
                                    resolve: resolve, settings: settings)
    }

    /// `firefly-proxy` on the socket `stack`'s nginx forwards the app hosts to, serving the app
    /// origins below `apps.localhost`, with app hosts under `*.databricksapps.test` resolved as told
    /// and trusted through `caFile`.
    static func launchProxy(stack: TestStack, keyFile: String, caFile: String, resolve: [String], settings: [String: String] = [:],
                            logPath: String) throws -> ChildProcess {
        let configPath = try writeConfiguration(stack: stack, keyFile: keyFile, caFile: caFile, resolve: resolve, settings: settings)
        let socket = stack.directory + "/proxy.sock"
        let proxy = try ChildProcess(executable: TestStack.binDirectory + "/firefly-proxy", arguments: ["--config", configPath, "--listen-socket", socket],
                                     environment: TestStack.cleanEnvironment(), outputPath: logPath)
        guard eventually(within: 10, { FileManager.default.fileExists(atPath: socket) }) else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw StackError("firefly-proxy did not start:\n\(log)")
        }
        return proxy
    }

    /// The proxy's configuration file in `stack`'s folder; returns its path.
    @discardableResult
    static func writeConfiguration(stack: TestStack, keyFile: String, caFile: String, resolve: [String], settings: [String: String]) throws -> String {
        var values = [
            "ENCRYPTION_KEY_FILE": keyFile,
            "APP_DOMAIN_SUFFIX": "test",
            "FIREFLY_PROXY_APP_ORIGIN": "https://apps.localhost:\(stack.httpsPort)",
            "FIREFLY_PROXY_FRAME_ANCESTORS": "https://localhost:\(stack.httpsPort)",
            "FIREFLY_PROXY_CA_FILE": caFile,
            "FIREFLY_PROXY_RESOLVE": resolve.joined(separator: ","),
            "FIREFLY_PROXY_COOKIE_SAMESITE": "None",
            "FIREFLY_PROXY_DATABASE_URL": stack.databaseURL,
        ]
        values.merge(settings) { $1 }
        let configPath = stack.directory + "/proxy.conf"
        try (values.keys.sorted().map { "\($0)=\(values[$0] ?? "")" }.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        return configPath
    }

    var proxyLog: String { (try? String(contentsOfFile: proxyLogPath, encoding: .utf8)) ?? "" }
    var upstreamAccessLog: String { (try? String(contentsOfFile: upstreamDirectory + "/access.log", encoding: .utf8)) ?? "" }
    var nginxAccessLog: String { (try? String(contentsOfFile: stack.directory + "/nginx/logs/access.log", encoding: .utf8)) ?? "" }

    /// A bound token for `app`, as FireFly's embed endpoint mints them in the test session.
    func mint(app: String = "jupyter", organization: String? = nil, bearer: String? = nil, expiresIn: Double = 3600, urlUsableFor: Double = 300) throws -> String {
        let now = Date().timeIntervalSince1970
        let target = AppTarget(organizationID: 1, organizationSlug: organization ?? self.organization, provider: "aws", domain: "databricksapps", appName: app)
        return try envelope.seal(bearerToken: bearer ?? bearerToken, target: target, session: SessionBinding(sessionHash: sessionHash),
                                 nonce: (0..<TokenEnvelope.nonceBytes).map { _ in UInt8.random(in: 0...255) },
                                 expiresAt: now + expiresIn, urlUsableUntil: now + urlUsableFor)
    }

    /// A request to an app origin (`jupyter--acme` unless told) through nginx.
    func request(_ method: String = "GET", _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
                 host: String? = nil, timeoutMilliseconds: Int = 15_000, http1Only: Bool = false) throws -> HTTPResponse {
        try stack.request(method, path, headers: headers, body: body, host: host ?? self.host(), timeoutMilliseconds: timeoutMilliseconds,
                          http1Only: http1Only)
    }

    /// Opens `app` like the iframe does: the embed URL on the app's origin, then the cookie it sets.
    /// Returns the `Cookie` header value for later requests.
    func open(app: String = "jupyter") throws -> String {
        let first = try request("GET", "/app-proxy/\(try mint(app: app))/aws/databricksapps/\(app)/", host: host(app))
        guard first.status == 302, let setCookie = first.header("set-cookie") else { throw StackError("embed URL answered \(first.status): \(first.text)") }
        return String(setCookie.prefix { $0 != ";" })
    }

    /// curl against an app origin, for requests libcurl's API would normalise (dot segments,
    /// request targets, odd upgrades). Returns the status line's code.
    func curl(_ arguments: [String], host: String? = nil) throws -> Int {
        let output = try Shell.succeed(try Shell.which("curl"), [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "--http1.1", "--cacert", stack.directory + "/nginx/tls/cert.pem",
            "--resolve", "\(host ?? self.host()):\(stack.httpsPort):127.0.0.1", "--max-time", "15",
        ] + arguments)
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func shutdown() {
        guard !stopped else { return }
        stopped = true
        if let proxy, proxy.isRunning {
            proxy.send(SIGTERM)
            if !eventually(within: 10, { !proxy.isRunning }) { proxy.send(SIGKILL) }
            _ = proxy.waitForExit()
        }
        _ = try? Shell.run(TestStack.repository + "/scripts/app-upstream", ["stop", upstreamDirectory])
        stack.shutdown()
    }
}
