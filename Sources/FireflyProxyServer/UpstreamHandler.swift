import NIOCore
import NIOHTTP1

/// The app end of an exchange: hands response parts to the ``ClientHandler`` it serves and holds
/// reads while the browser's side cannot take more (bounded memory on large downloads).
public final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPClientResponsePart
    public typealias OutboundIn = HTTPClientRequestPart
    public typealias OutboundOut = HTTPClientRequestPart

    /// The exchange being served; nil while the connection is kept for reuse.
    weak var delegate: ClientHandler?
    private var context: ChannelHandlerContext?
    private var deferredRead = DeferredRead()
    /// Set while the connection changes hands (WebSocket splice): nothing is read meanwhile.
    var holdReads = false

    init() {}

    public func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    public func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func send(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() { context?.flush() }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        delegate?.upstreamPart(unwrapInboundIn(data))
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    public func read(context: ChannelHandlerContext) {
        if holdReads { return }
        deferredRead.request(context, blocked: delegate.map { !$0.clientIsWritable } ?? false)
    }

    /// Called when the browser's side can take more again.
    func resumeRead() {
        deferredRead.release(context)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { delegate?.upstreamBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        delegate?.upstreamEnded(.closed)
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        delegate?.upstreamEnded(.failed(error))
        context.close(promise: nil)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            delegate?.upstreamEnded(.timedOut)
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

