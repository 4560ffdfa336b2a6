import NIOCore

/// A channel's read, held while the other side of the proxy cannot take more and issued once it
/// can: the backpressure every handler of the proxy applies (autoRead asks through `read`).
struct DeferredRead {
    private var pending = false

    /// Passes the read on, or holds it while `blocked`.
    mutating func request(_ context: ChannelHandlerContext, blocked: Bool) {
        if blocked { pending = true } else { context.read() }
    }

    /// Issues a held read.
    mutating func release(_ context: ChannelHandlerContext?) {
        guard pending, let context else { return }
        pending = false
        context.read()
    }
}
