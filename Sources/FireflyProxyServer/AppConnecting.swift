import NIOCore

/// Who opens connections to apps: ``UpstreamConnector`` over TLS; the handlers' tests hand out
/// embedded channels. The channel is connected and its pipeline ends with an ``UpstreamHandler``
/// behind the HTTP client codec (see ``UpstreamConnector/addHTTPHandlers(to:idleTimeout:maxHeaderBytes:)``).
public protocol AppConnecting: Sendable {
    func connect(host: String, on loop: any EventLoop) -> EventLoopFuture<any Channel>
}
