import NIOCore

/// Records the close modes asked of a channel; a close of output only is acknowledged here (an
/// embedded channel cannot half-close), any other close goes on.
final class CloseRecorder: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = Any
    private(set) var modes: [CloseMode] = []

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        modes.append(mode)
        if mode == .output { promise?.succeed(()) } else { context.close(mode: mode, promise: promise) }
    }
}
