import FireflyCrypto
import FireflyHTTPClient
import FireflySystem
import Foundation
import ProxyCore

/// The app-proxy path end to end: the test stack's nginx (the shipped app-host routing), the real
/// `firefly-proxy` on the socket nginx forwards `/app-proxy/` to, and `scripts/app-upstream`: a TLS
/// nginx with its own CA that, like Databricks Apps, requires the bearer token, in front of
/// jupyter-server. App hosts are `{app}.aws.databricksapps.test`, reached through a resolve override.
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

    init(_ name: String, proxySettings: [String: String] = [:], jupyter: Bool = true, startPool: Bool = false) throws {
        stack = try TestStack(name, startPool: startPool)
        upstreamDirectory = stack.directory + "/app-upstream"
        upstreamPort = try LoopbackPort.findFree()
        keyHex = Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        envelope = try TokenEnvelope(keyHex: keyHex)
        proxyLogPath = stack.directory + "/proxy.log"
        do {
            var arguments = ["start", upstreamDirectory, "--port", "\(upstreamPort)", "--token", bearerToken]
            if jupyter { arguments += ["--jupyter-port", "\(try LoopbackPort.findFree())"] }
            try Shell.succeed(TestStack.repository + "/scripts/app-upstream", arguments)
            try startProxy(proxySettings)
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    var appOrigin: String { "https://apps.localhost:\(stack.httpsPort)" }
    var fireflyOrigin: String { "https://localhost:\(stack.httpsPort)" }

    /// Starts `firefly-proxy` with a configuration file (the key in a file of its own).
    func startProxy(_ settings: [String: String]) throws {
        let keyFile = stack.directory + "/app-proxy-key"
        try (keyHex + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        var values = [
            "ENCRYPTION_KEY_FILE": keyFile,
            "APP_DOMAIN_SUFFIX": "test",
            "FIREFLY_PROXY_APP_ORIGIN": appOrigin,
            "FIREFLY_PROXY_FRAME_ANCESTORS": fireflyOrigin,
            "FIREFLY_PROXY_CA_FILE": upstreamDirectory + "/ca.pem",
            "FIREFLY_PROXY_RESOLVE": ["jupyter", "other"].map { "\($0).aws.databricksapps.test:443=127.0.0.1:\(upstreamPort)" }.joined(separator: ","),
            "FIREFLY_PROXY_COOKIE_SAMESITE": "None",
        ]
        values.merge(settings) { $1 }
        let configPath = stack.directory + "/proxy.conf"
        try (values.keys.sorted().map { "\($0)=\(values[$0] ?? "")" }.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        let socket = stack.directory + "/proxy.sock"
        proxy = try ChildProcess(executable: TestStack.binDirectory + "/firefly-proxy", arguments: ["--config", configPath, "--listen-socket", socket],
                                 environment: TestStack.cleanEnvironment(), outputPath: proxyLogPath)
        guard eventually(within: 10, { FileManager.default.fileExists(atPath: socket) }) else {
            throw StackError("firefly-proxy did not start:\n\(proxyLog)")
        }
    }

    var proxyLog: String { (try? String(contentsOfFile: proxyLogPath, encoding: .utf8)) ?? "" }
    var upstreamAccessLog: String { (try? String(contentsOfFile: upstreamDirectory + "/access.log", encoding: .utf8)) ?? "" }
    var nginxAccessLog: String { (try? String(contentsOfFile: stack.directory + "/nginx/logs/access.log", encoding: .utf8)) ?? "" }

    /// A bound token for `app`, as FireFly's embed endpoint mints them.
    func mint(app: String = "jupyter", bearer: String? = nil, expiresIn: Double = 3600, urlUsableFor: Double = 300) throws -> String {
        let now = Date().timeIntervalSince1970
        return try envelope.seal(bearerToken: bearer ?? bearerToken, target: AppTarget(organizationID: 1, provider: "aws", domain: "databricksapps", appName: app),
                                 expiresAt: now + expiresIn, urlUsableUntil: now + urlUsableFor)
    }

    /// A request to the app host through nginx.
    func request(_ method: String = "GET", _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPResponse {
        try stack.request(method, path, headers: headers, body: body, host: "apps.localhost")
    }

    /// Opens `app` like the iframe does: the embed URL, then the cookie it sets. Returns the
    /// `Cookie` header value for later requests.
    func open(app: String = "jupyter") throws -> String {
        let first = try request("GET", "/app-proxy/\(try mint(app: app))/aws/databricksapps/\(app)/")
        guard first.status == 302, let setCookie = first.header("set-cookie") else { throw StackError("embed URL answered \(first.status): \(first.text)") }
        return String(setCookie.prefix { $0 != ";" })
    }

    /// curl against the app host, for requests libcurl's API would normalise (dot segments,
    /// request targets, odd upgrades). Returns the status line's code.
    func curl(_ arguments: [String]) throws -> Int {
        let output = try Shell.succeed(try Shell.which("curl"), [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "--http1.1", "--cacert", stack.directory + "/nginx/tls/cert.pem",
            "--resolve", "apps.localhost:\(stack.httpsPort):127.0.0.1", "--max-time", "15",
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
