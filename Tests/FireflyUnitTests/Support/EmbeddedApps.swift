import FireflyProxyServer
import NIOCore
import NIOEmbedded

/// Apps on embedded channels: each connection gets the connector's HTTP pipeline (no TLS), a
/// ``ReadCounter`` and a ``CloseRecorder`` in front. Lives on one embedded loop only.
final class EmbeddedApps: AppConnecting, @unchecked Sendable {
    let loop: EmbeddedEventLoop
    private let connectsAtOnce: Bool
    private let refuses: Bool
    private(set) var opened: [EmbeddedChannel] = []
    private(set) var reads: [ReadCounter] = []
    private(set) var closes: [CloseRecorder] = []
    private var pending: [(EmbeddedChannel, EventLoopPromise<any Channel>)] = []

    init(loop: EmbeddedEventLoop, connectsAtOnce: Bool, refuses: Bool) {
        self.loop = loop
        self.connectsAtOnce = connectsAtOnce
        self.refuses = refuses
    }

    func connect(host: String, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        if refuses { return loop.makeFailedFuture(ChannelError.connectTimeout(.seconds(10))) }
        let promise = loop.makePromise(of: (any Channel).self)
        do {
            let channel = EmbeddedChannel(loop: self.loop)
            try UpstreamConnector.addHTTPHandlers(to: channel.pipeline.syncOperations, idleTimeout: .seconds(60), maxHeaderBytes: 16_384)
            let reads = ReadCounter(), closes = CloseRecorder()
            try channel.pipeline.syncOperations.addHandler(reads, position: .first)
            try channel.pipeline.syncOperations.addHandler(closes, position: .first)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
            opened.append(channel)
            self.reads.append(reads)
            self.closes.append(closes)
            if connectsAtOnce { promise.succeed(channel) } else { pending.append((channel, promise)) }
        } catch {
            promise.fail(error)
        }
        return promise.futureResult
    }

    /// Completes the oldest connection still opening (for apps made with `connectsAtOnce: false`).
    func completeConnect() throws -> EmbeddedChannel {
        guard !pending.isEmpty else { throw ChannelError.inappropriateOperationForState }
        let (channel, promise) = pending.removeFirst()
        promise.succeed(channel)
        return channel
    }
}
