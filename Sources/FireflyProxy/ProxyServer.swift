import FireflySystem
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ProxyCore

/// What every connection shares: the validated settings, the gate, the upstream TLS context.
struct ProxyContext: Sendable {
    let configuration: ProxyConfiguration
    let gate: ProxyGate
    let connector: UpstreamConnector
    let verifier: SessionVerifier
    let webSockets: OpenWebSockets
    let logger: Logger
}

/// The listening side: nginx's connections, one HTTP/1.1 pipeline each.
struct ProxyServer {
    let context: ProxyContext
    let group: any EventLoopGroup

    init(configuration: ProxyConfiguration, group: any EventLoopGroup, resolverPool: NIOThreadPool, verifier: SessionVerifier, logger: Logger) throws {
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
        context = ProxyContext(configuration: configuration, gate: try ProxyGate(configuration: configuration), connector: connector, verifier: verifier,
                               webSockets: OpenWebSockets(), logger: logger)
        self.group = group
    }

    func start() throws -> any Channel {
        let shared = context
        // Open WebSockets end with their FireFly session: re-checked every check interval.
        let interval = TimeAmount.milliseconds(Int64(max(1000, shared.configuration.sessionCheckIntervalMilliseconds)))
        let loop = group.next()
        loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            shared.webSockets.recheck(with: shared.verifier, on: loop, now: Date().timeIntervalSince1970)
        }
        let limits = NIOHTTPDecoderLimitConfiguration.headerSection(upTo: shared.configuration.maxHeaderBytes)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(allTimeout: .milliseconds(Int64(shared.configuration.idleTimeoutMilliseconds))))
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true,
                                                             withOutboundHeaderValidation: true, withEncoderConfiguration: .init(),
                                                             withDecoderLimitConfiguration: limits)
                    try pipeline.addHandler(ClientHandler(shared))
                }
            }
        // Under systemd socket activation (firefly-proxy.socket) the socket is inherited.
        if let inherited = SocketActivation.descriptors(environment: ProcessInfo.processInfo.environment).first {
            return try bootstrap.withBoundSocket(inherited).wait()
        }
        switch shared.configuration.listener {
        case .tcp(let host, let port):
            return try bootstrap.childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1).bind(host: host, port: port).wait()
        case .unixSocket(let path, let mode):
            let channel = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
            try FileManager.default.setAttributes([.posixPermissions: Int(mode)], ofItemAtPath: path)
            return channel
        }
    }
}
