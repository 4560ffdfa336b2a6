import FireflySystem
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ProxyCore

/// The listening side: nginx's connections, one HTTP/1.1 pipeline each.
public struct ProxyServer {
    let runtime: ProxyRuntime
    let group: any EventLoopGroup

    public init(runtime: ProxyRuntime, group: any EventLoopGroup) {
        self.runtime = runtime
        self.group = group
    }

    public func start() throws -> any Channel {
        let runtime = self.runtime
        let initial = runtime.current
        // Open WebSockets end with their FireFly session: re-checked every check interval.
        let interval = TimeAmount.milliseconds(Int64(max(1000, initial.configuration.sessionCheckIntervalMilliseconds)))
        let loop = group.next()
        loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let current = runtime.current
            current.webSockets.recheck(with: current.verifier, on: loop, now: Date().timeIntervalSince1970)
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try Self.addHandlers(to: channel, runtime: runtime) }
            }
        // Under systemd socket activation (firefly-proxy.socket) the socket is inherited.
        if let inherited = SocketActivation.descriptors(environment: ProcessInfo.processInfo.environment).first {
            return try bootstrap.withBoundSocket(inherited).wait()
        }
        switch initial.configuration.listener {
        case .tcp(let host, let port):
            return try bootstrap.childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1).bind(host: host, port: port).wait()
        case .unixSocket(let path, let mode):
            let channel = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
            try FileManager.default.setAttributes([.posixPermissions: Int(mode)], ofItemAtPath: path)
            return channel
        }
    }

    /// A connection from nginx: the idle timeout, the HTTP server codec and a ``ClientHandler``,
    /// tracked until it closes. Limits come from the settings current when the connection opens.
    public static func addHandlers(to channel: any Channel, runtime: ProxyRuntime) throws {
        let configuration = runtime.current.configuration
        let limits = NIOHTTPDecoderLimitConfiguration.headerSection(upTo: configuration.maxHeaderBytes)
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(IdleStateHandler(allTimeout: .milliseconds(Int64(configuration.idleTimeoutMilliseconds))))
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true,
                                                 withOutboundHeaderValidation: true, withEncoderConfiguration: .init(),
                                                 withDecoderLimitConfiguration: limits)
        try pipeline.addHandler(ClientHandler(runtime))
        runtime.connections.add(channel)
    }
}
