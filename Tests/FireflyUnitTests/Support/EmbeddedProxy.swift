import FireflyCrypto
import FireflyProxyServer
import FoundationEssentials
import Logging
import NIOCore
import NIOEmbedded
import ProxyCore

/// A proxy connection from nginx on an embedded channel, with the server's pipeline, its apps on
/// embedded channels of the same loop, and a token cookie for `vscode` of organization `acme`.
struct EmbeddedProxy {
    static let keyHex = String(repeating: "ab", count: 32)

    let loop = EmbeddedEventLoop()
    let client: EmbeddedChannel
    let apps: EmbeddedApps
    /// Reads nginx's connection was asked for (the first handler counts them).
    let clientReads = ReadCounter()
    private let cookie: String

    init(sessions verdict: SessionVerdict = .alive(expiresAt: Date().timeIntervalSince1970 + 3600), connectsAtOnce: Bool = true,
         refusesConnections: Bool = false) throws {
        let configuration = try ProxyConfiguration(fileValues: [
            "FIREFLY_PROXY_APP_ORIGIN": "https://apps.example.com", "FIREFLY_PROXY_FRAME_ANCESTORS": "https://firefly.example.com",
            "FIREFLY_PROXY_DATABASE_URL": "host=/nonexistent dbname=firefly",
        ], environment: ["ENCRYPTION_KEY": Self.keyHex])
        apps = EmbeddedApps(loop: loop, connectsAtOnce: connectsAtOnce, refuses: refusesConnections)
        var logger = Logger(label: "proxy-handler-tests")
        logger.logLevel = .critical
        let context = try ProxyContext(configuration: configuration, connector: apps, verifier: AnsweringSessions(verdict: verdict),
                                       webSockets: OpenWebSockets(), logger: logger)
        client = EmbeddedChannel(loop: loop)
        try ProxyServer.addHandlers(to: client, runtime: ProxyRuntime(context, threads: 1))
        try client.pipeline.syncOperations.addHandler(clientReads, position: .first)
        try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()

        let now = Date().timeIntervalSince1970
        let token = try TokenEnvelope(keyHex: Self.keyHex).seal(
            bearerToken: "dapi-spn",
            target: AppTarget(organizationID: 3, organizationSlug: "acme", provider: "aws", domain: "databricksapps", appName: "vscode"),
            session: SessionBinding(sessionHash: Array(repeating: 5, count: 32)), nonce: Array(repeating: 1, count: 16),
            expiresAt: now + 3600, urlUsableUntil: now + 300)
        cookie = "__Host-firefly_app_token=\(token)~aws~databricksapps"
    }

    /// A request as nginx sends it to the proxy: the app's host, the token cookie, `extra` header lines.
    func request(_ target: String, method: String = "GET", accept: String = "application/json", extra: String = "", body: String = "") -> ByteBuffer {
        ByteBuffer(string: "\(method) \(target) HTTP/1.1\r\nHost: vscode--acme.apps.example.com\r\nCookie: \(cookie)\r\nAccept: \(accept)\r\n\(extra)\r\n\(body)")
    }
}
