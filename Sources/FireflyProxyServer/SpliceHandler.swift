import CoreMetrics
import NIOCore

/// After a WebSocket upgrade: bytes both ways between the browser's connection and the app's, with
/// backpressure (a side is read only while the other can take more), half-close passed on, and
/// either side's close or the idle timeout closing both.
final class SpliceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: SpliceHandler?
    private var context: ChannelHandlerContext?
    private var deferredRead = DeferredRead()
    /// Counts the bytes this side reads (they go to the other side).
    private let bytesRead: Counter

    private init(bytesRead: Counter) {
        self.bytesRead = bytesRead
    }

    /// Two handlers joined to each other, one per channel (both on the same event loop): the
    /// browser's side first, the app's second.
    static func pair() -> (SpliceHandler, SpliceHandler) {
        let first = SpliceHandler(bytesRead: ProxyMetrics.bytesToApp), second = SpliceHandler(bytesRead: ProxyMetrics.bytesToClient)
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    private var isWritable: Bool { context?.channel.isWritable ?? false }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytesRead.increment(by: unwrapInboundIn(data).readableBytes)
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func read(context: ChannelHandlerContext) {
        deferredRead.request(context, blocked: partner.map { !$0.isWritable } ?? false)
    }

    private func resumeRead() {
        deferredRead.release(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeRead() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The peer finished sending: finish sending to the other side, keep reading from it.
            guard let partnerContext = partner?.context else { context.close(promise: nil); return }
            let promise = partnerContext.eventLoop.makePromise(of: Void.self)
            partnerContext.close(mode: .output, promise: promise)
            promise.futureResult.assumeIsolated().whenFailure { _ in
                partnerContext.close(promise: nil)
                context.close(promise: nil)
            }
        } else if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let partner = self.partner
        self.partner = nil
        partner?.partner = nil
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
