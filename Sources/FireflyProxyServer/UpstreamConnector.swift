import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ProxyCore

/// Opens TLS connections to apps: `host:443`, resolved off the event loop, refused when the
/// answer is a loopback, private or link-local address (unless an override names the host), TLS
/// verified against the system store plus the configured CA file, SNI set to the host.
public struct UpstreamConnector: AppConnecting {
    let tls: NIOSSLContext
    let resolverPool: NIOThreadPool
    let overrides: [String: ProxyConfiguration.ResolveOverride]
    let connectTimeout: TimeAmount
    let idleTimeout: TimeAmount
    let maxHeaderBytes: Int

    /// Why no connection was made.
    enum Refusal: Error, CustomStringConvertible {
        case nonPublicAddress(host: String, address: String)

        var description: String {
            switch self {
            case .nonPublicAddress(let host, let address): "\(host) resolves to \(address), which is not a public address"
            }
        }
    }

    /// A connected channel with the HTTP client pipeline and an ``UpstreamHandler`` at its end.
    public func connect(host: String, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let tls = self.tls, idleTimeout = self.idleTimeout, maxHeaderBytes = self.maxHeaderBytes
        let connectTimeout = self.connectTimeout
        return address(of: host, on: loop).flatMap { address in
            ClientBootstrap(group: loop)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: host))
                        try Self.addHTTPHandlers(to: pipeline, idleTimeout: idleTimeout, maxHeaderBytes: maxHeaderBytes)
                    }
                }
                .connect(to: address)
        }
    }

    /// An app connection's handlers above its transport (TLS, or none in tests): the idle timeout
    /// first, then the HTTP client codec and the ``UpstreamHandler``.
    public static func addHTTPHandlers(to pipeline: ChannelPipeline.SynchronousOperations, idleTimeout: TimeAmount, maxHeaderBytes: Int) throws {
        try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout), position: .first)
        try pipeline.addHandler(HTTPRequestEncoder())
        try pipeline.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes,
                                                                         informationalResponseStrategy: .drop,
                                                                         limitConfiguration: .headerSection(upTo: maxHeaderBytes))))
        try pipeline.addHandler(UpstreamHandler())
    }

    /// Where `host:443` is reached: an override as given, otherwise DNS with the public-address rule.
    /// The checked address is the one connected to, so a second DNS answer cannot change it.
    func address(of host: String, on loop: any EventLoop) -> EventLoopFuture<SocketAddress> {
        if let override = overrides["\(host):443"] {
            return loop.makeCompletedFuture { try SocketAddress(ipAddress: override.address, port: override.port) }
        }
        return resolverPool.runIfActive(eventLoop: loop) {
            let address = try SocketAddress.makeAddressResolvingHost(host, port: 443)
            guard let ip = address.ipAddress, let bytes = AddressPolicy.parse(ip), AddressPolicy.isPublic(bytes) else {
                throw Refusal.nonPublicAddress(host: host, address: address.ipAddress ?? "\(address)")
            }
            return address
        }
    }
}

extension NIOHTTPDecoderLimitConfiguration {
    /// Limits for one header section of at most `bytes` (the same for requests and responses).
    static func headerSection(upTo bytes: Int) -> Self {
        var limits = Self()
        limits.maxHeaderListSize = bytes
        limits.maxHeaderFieldSize = bytes
        return limits
    }
}
