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
public struct ProxyContext: Sendable {
    public let configuration: ProxyConfiguration
    let gate: ProxyGate
    let connector: any AppConnecting
    public let verifier: any SessionChecking
    public let webSockets: OpenWebSockets
    let logger: Logger

    /// Settings whose apps are reached by `connector` and whose sessions `verifier` answers for.
    public init(configuration: ProxyConfiguration, connector: any AppConnecting, verifier: any SessionChecking, webSockets: OpenWebSockets,
                logger: Logger) throws {
        self.configuration = configuration
        gate = try ProxyGate(configuration: configuration)
        self.connector = connector
        self.verifier = verifier
        self.webSockets = webSockets
        self.logger = logger
    }

    /// Settings whose apps are reached over TLS (``UpstreamConnector``), names resolved on `resolverPool`.
    public init(configuration: ProxyConfiguration, resolverPool: NIOThreadPool, verifier: any SessionChecking, webSockets: OpenWebSockets,
                logger: Logger) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        tls.trustRoots = .default
        if let caFile = configuration.caFile { tls.additionalTrustRoots = [.file(caFile)] }
        tls.applicationProtocols = ["http/1.1"]
        let connector = UpstreamConnector(tls: try NIOSSLContext(configuration: tls), resolverPool: resolverPool,
                                          overrides: configuration.resolveOverrides,
                                          connectTimeout: .milliseconds(Int64(configuration.connectTimeoutMilliseconds)),
                                          idleTimeout: .milliseconds(Int64(configuration.idleTimeoutMilliseconds)),
                                          maxHeaderBytes: configuration.maxHeaderBytes)
        try self.init(configuration: configuration, connector: connector, verifier: verifier, webSockets: webSockets, logger: logger)
    }
}
