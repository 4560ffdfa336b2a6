import NIOCore
import NIOHTTP1

/// The app end of an exchange: hands response parts to the ``ClientHandler`` it serves and holds
/// reads while the browser's side cannot take more (bounded memory on large downloads).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The exchange being served; nil while the connection is kept for reuse.
    weak var delegate: ClientHandler?
    private var context: ChannelHandlerContext?
    private var deferredRead = DeferredRead()
    /// Set while the connection changes hands (WebSocket splice): nothing is read meanwhile.
    var holdReads = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func send(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() { context?.flush() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        delegate?.upstreamPart(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if holdReads { return }
        deferredRead.request(context, blocked: delegate.map { !$0.clientIsWritable } ?? false)
    }

    /// Called when the browser's side can take more again.
    func resumeRead() {
        deferredRead.release(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { delegate?.upstreamBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        delegate?.upstreamEnded(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        delegate?.upstreamEnded(.failed(error))
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            delegate?.upstreamEnded(.timedOut)
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

