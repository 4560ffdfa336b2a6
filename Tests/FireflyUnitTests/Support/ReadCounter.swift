import NIOCore

/// Counts the reads that reach the front of a pipeline (what the proxy's backpressure holds back).
final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = Any
    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
