import FireflySystem
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ProxyCore

/// What every request shares: the validated settings, the gate, the upstream TLS context. A reload
/// makes a new one (``ProxyRuntime``); the verifier and the open WebSockets carry over.
struct ProxyContext: Sendable {
    let configuration: ProxyConfiguration
    let gate: ProxyGate
    let connector: UpstreamConnector
    let verifier: SessionVerifier
    let webSockets: OpenWebSockets
    let logger: Logger

    init(configuration: ProxyConfiguration, resolverPool: NIOThreadPool, verifier: SessionVerifier, webSockets: OpenWebSockets, logger: Logger) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        tls.trustRoots = .default
        if let caFile = configuration.caFile { tls.additionalTrustRoots = [.file(caFile)] }
        tls.applicationProtocols = ["http/1.1"]
        connector = UpstreamConnector(tls: try NIOSSLContext(configuration: tls), resolverPool: resolverPool,
                                      overrides: configuration.resolveOverrides,
                                      connectTimeout: .milliseconds(Int64(configuration.connectTimeoutMilliseconds)),
                                      idleTimeout: .milliseconds(Int64(configuration.idleTimeoutMilliseconds)),
                                      maxHeaderBytes: configuration.maxHeaderBytes)
        self.configuration = configuration
        gate = try ProxyGate(configuration: configuration)
        self.verifier = verifier
        self.webSockets = webSockets
        self.logger = logger
    }
}
