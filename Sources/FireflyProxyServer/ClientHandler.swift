import CoreMetrics
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1
import ProxyCore

/// One connection from nginx: each request is checked by the ``ProxyGate`` and either answered
/// here or forwarded to the app over TLS, both bodies streamed with backpressure. The app
/// connection is kept for the next request to the same app. A WebSocket upgrade that the app
/// accepts turns both connections into a byte splice.
final class ClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A connection to an app, with its handler.
    struct Upstream {
        let host: String
        let channel: any Channel
        let handler: UpstreamHandler
    }

    /// One forwarded request and its response.
    final class Exchange {
        let forward: ProxyGate.Forward
        let head: HTTPRequestHead
        let started = NIODeadline.now()
        let requestID: String
        var upstream: Upstream?
        /// Body parts that arrived while the app connection was being opened.
        var waiting: [HTTPServerRequestPart] = []
        /// Where the exchange stands and what its events mean (no I/O; `ProxyCore`).
        var progress = ProxyExchange()

        init(forward: ProxyGate.Forward, head: HTTPRequestHead, requestID: String) {
            self.forward = forward
            self.head = head
            self.requestID = requestID
        }
    }

    enum State {
        case idle
        /// Answered locally; the rest of the request body is read and dropped.
        case discarding
        case exchanging(Exchange)
        case spliced
        case closed
    }

    private let runtime: ProxyRuntime
    /// The settings of the current request (a reload applies from the next request on).
    private var shared: ProxyContext
    private var context: ChannelHandlerContext?
    private var state = State.idle
    private var deferredRead = DeferredRead()
    /// The app connection of the last exchange, kept for the next request to the same app.
    private var kept: Upstream?
    /// The last token this connection opened.
    private var openedToken: ProxyGate.OpenedToken?
    /// Whether the current request lets the connection stay open after its response (nginx keeps
    /// its connections and never pipelines; a client that asks to close gets its connection closed).
    private var keepAlive = true

    init(_ runtime: ProxyRuntime) {
        self.runtime = runtime
        shared = runtime.current
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    // MARK: Requests from nginx

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (part, state) {
        case (.head(let head), .idle):
            begin(head, context: context)
        case (.head, _):
            context.close(promise: nil)
        case (.body(let buffer), .exchanging(let exchange)):
            ProxyMetrics.bytesToApp.increment(by: buffer.readableBytes)
            if let upstream = exchange.upstream { upstream.handler.send(Self.clientPart(part)) } else { exchange.waiting.append(part) }
        case (.end, .exchanging(let exchange)):
            let complete = exchange.progress.requestDidEnd()
            if let upstream = exchange.upstream {
                upstream.handler.send(.end(nil))
                upstream.handler.flush()
            }
            if complete { finish(exchange) }
        case (.end, .discarding):
            state = .idle
        case (.body, _), (.end, _):
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .exchanging(let exchange) = state { exchange.upstream?.handler.flush() }
        context.fireChannelReadComplete()
    }

    /// Reads from nginx pause while the app connection is opening or cannot take more.
    func read(context: ChannelHandlerContext) {
        if case .spliced = state {
            return  // the splice reads once it is in place
        }
        var blocked = false
        if case .exchanging(let exchange) = state { blocked = exchange.upstream.map { !$0.channel.isWritable } ?? true }
        deferredRead.request(context, blocked: blocked)
    }

    private func resumeRead() {
        deferredRead.release(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .exchanging(let exchange) = state { exchange.upstream?.handler.resumeRead() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .exchanging(let exchange) = state {
            exchange.upstream?.handler.delegate = nil
            exchange.upstream?.channel.close(promise: nil)
            if !exchange.progress.responseEnded { log(exchange, outcome: "client_closed") }
        }
        kept?.channel.close(promise: nil)
        kept = nil
        state = .closed
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Between requests only: an exchange's own silence is the app connection's timeout.
        if event is IdleStateHandler.IdleStateEvent {
            if case .idle = state { context.close(promise: nil) }
        } else if event is ProxyDrainEvent {
            // The proxy stops: an idle connection closes now, a busy one after its response.
            keepAlive = false
            if case .idle = state { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shared.logger.debug("client connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        // An upgrade request that does not become a 101 leaves NIO's decoder stopped after the
        // request (it waits for the upgrade to happen): such a connection is never reused.
        keepAlive = head.isKeepAlive && !head.headers.contains(name: "upgrade") && !runtime.isDraining
        shared = runtime.current
        let fields: [HeaderField] = head.headers.map { ($0.name, $0.value) }
        let requestID = head.headers.first(name: "x-request-id") ?? "-"
        switch shared.gate.decide(method: head.method.rawValue, uri: head.uri, fields: fields, now: Date().timeIntervalSince1970, memo: &openedToken) {
        case .answer(let answer):
            state = .discarding
            writeLocal(answer)
            ProxyMetrics.countExchange(outcome: "answered")
            shared.logger.info("answered", metadata: ["method": "\(head.method.rawValue)", "status": "\(answer.status)", "request_id": "\(requestID)"])
        case .redeem(let redemption):
            // The embed URL's first use: recorded once, while its session lives; then the cookie.
            state = .discarding
            shared.verifier.redeem(redemption, on: context.eventLoop).assumeIsolated().whenComplete { result in
                let html = head.headers[canonicalForm: "accept"].contains { $0.lowercased().contains("text/html") }
                let answer: ProxyGate.LocalAnswer
                switch result {
                case .success(.alive(let expiresAt)):
                    answer = redemption.answer(sessionExpiresAt: expiresAt, now: Date().timeIntervalSince1970)
                case .success(.replayed):
                    answer = ProxyGate.errorAnswer(status: 401, code: "unauthorized", message: Self.usedLinkMessage, html: html)
                case .success(.gone):
                    answer = ProxyGate.errorAnswer(status: 401, code: "unauthorized", message: Self.signedOutMessage, html: html)
                case .failure(let error):
                    self.shared.logger.warning("session check failed", metadata: ["error": "\(error)"])
                    answer = ProxyGate.errorAnswer(status: 503, code: "unavailable", message: Self.uncheckedMessage, html: html)
                }
                self.writeLocal(answer)
                ProxyMetrics.countExchange(outcome: "answered")
                self.shared.logger.info("answered", metadata: ["method": "\(head.method.rawValue)", "status": "\(answer.status)",
                                                               "request_id": "\(requestID)"])
            }
        case .forward(let forward):
            let exchange = Exchange(forward: forward, head: head, requestID: requestID)
            state = .exchanging(exchange)
            // The token's session is asked about at most once per check interval; meanwhile the
            // request's body waits, as it does while the app connection opens.
            if let session = forward.session, !shared.verifier.isFresh(session, now: Date().timeIntervalSince1970) {
                shared.verifier.verify(session, on: context.eventLoop).assumeIsolated().whenComplete { result in
                    guard case .exchanging(let current) = self.state, current === exchange, let context = self.context else { return }
                    switch result {
                    case .success(.alive):
                        self.open(exchange, context: context)
                    case .success(.gone), .success(.replayed):
                        self.fail(exchange, status: 401, code: "unauthorized", message: Self.signedOutMessage)
                    case .failure(let error):
                        self.shared.logger.warning("session check failed", metadata: ["error": "\(error)"])
                        self.fail(exchange, status: 503, code: "unavailable", message: Self.uncheckedMessage)
                    }
                }
                return
            }
            open(exchange, context: context)
        }
    }

    static let usedLinkMessage = "This app link was already used. Open the app again from FireFly."
    static let signedOutMessage = "Your FireFly session has ended. Sign in to FireFly and open the app again."
    static let uncheckedMessage = "FireFly cannot check your session right now; try again shortly."

    /// Forwards `exchange` on the kept app connection, or on a new one.
    private func open(_ exchange: Exchange, context: ChannelHandlerContext) {
        let forward = exchange.forward
        if let kept, kept.host == forward.app.host, kept.channel.isActive {
            self.kept = nil
            attach(kept, to: exchange)
            return
        }
        kept?.channel.close(promise: nil)
        kept = nil
        shared.connector.connect(host: forward.app.host, on: context.eventLoop).assumeIsolated().whenComplete { result in
            guard case .exchanging(let current) = self.state, current === exchange else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let channel):
                guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamHandler.self) else {
                    channel.close(promise: nil)
                    self.fail(exchange, status: 502, message: "The app connection could not be set up.")
                    return
                }
                self.attach(Upstream(host: forward.app.host, channel: channel, handler: handler), to: exchange)
            case .failure(let error):
                self.shared.logger.warning("app unreachable", metadata: ["host": "\(forward.app.host)", "error": "\(error)"])
                self.fail(exchange, status: 502, message: "The app cannot be reached right now.")
            }
        }
    }

    /// Sends the request head (and anything that arrived meanwhile) on `upstream`.
    private func attach(_ upstream: Upstream, to exchange: Exchange) {
        exchange.upstream = upstream
        upstream.handler.delegate = self
        var headers = HTTPHeaders(exchange.forward.fields.map { ($0.name, $0.value) })
        if exchange.head.headers.contains(name: "transfer-encoding"), !exchange.head.headers.contains(name: "content-length") {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        }
        upstream.handler.send(.head(HTTPRequestHead(version: .http1_1, method: exchange.head.method, uri: exchange.forward.target, headers: headers)))
        for part in exchange.waiting { upstream.handler.send(Self.clientPart(part)) }
        exchange.waiting = []
        if exchange.progress.requestEnded { upstream.handler.send(.end(nil)) }
        upstream.handler.flush()
        resumeRead()
    }

    private static func clientPart(_ part: HTTPServerRequestPart) -> HTTPClientRequestPart {
        switch part {
        case .head(let head): .head(head)
        case .body(let buffer): .body(.byteBuffer(buffer))
        case .end: .end(nil)
        }
    }

    // MARK: Responses from the app

    func upstreamPart(_ part: HTTPClientResponsePart) {
        guard let context, case .exchanging(let exchange) = state else { return }
        switch part {
        case .head(let head):
            if head.status == .switchingProtocols {
                guard exchange.forward.webSocket else {
                    fail(exchange, status: 502, message: "The app switched protocols unasked.")
                    return
                }
                splice(exchange, appHead: head)
                return
            }
            let fields = ProxiedHeaders.clientResponse(head.headers.map { ($0.name, $0.value) }, app: exchange.forward.app,
                                                       frameAncestors: shared.configuration.frameAncestors, corsOrigin: exchange.forward.corsOrigin,
                                                       crossSite: shared.configuration.cookiesCrossSite)
            exchange.progress.responseHeadRelayed(status: Int(head.status.code), http11: head.version == .http1_1,
                                                  connectionClose: head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" })
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: head.status,
                                                                 headers: HTTPHeaders(fields.map { ($0.name, $0.value) })))), promise: nil)
        case .body(let buffer):
            exchange.progress.responseBodySent(bytes: buffer.readableBytes)
            ProxyMetrics.bytesToClient.increment(by: buffer.readableBytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end:
            let complete = exchange.progress.responseDidEnd()
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            if complete { finish(exchange) }
        }
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamBecameWritable() {
        resumeRead()
    }

    func upstreamEnded(_ end: UpstreamEnd) {
        guard case .exchanging(let exchange) = state else { return }
        let ending: ProxyExchange.AppEnding
        let message: String
        switch end {
        case .timedOut:
            (ending, message) = (.timedOut, "The app did not answer in time.")
        case .closed:
            (ending, message) = (.closed, "The app closed the connection.")
        case .failed(let error):
            guard !exchange.progress.responseEnded else { return }
            shared.logger.warning("app connection failed", metadata: ["host": "\(exchange.forward.app.host)", "error": "\(error)"])
            (ending, message) = (.failed, "The app connection failed.")
        }
        guard let status = exchange.progress.failureStatus(for: ending) else { return }
        fail(exchange, status: status, message: message)
    }

    /// Ends an exchange that cannot complete: an error answer if nothing was sent yet, otherwise the
    /// connection is closed so the browser sees a truncated response, never a complete-looking one.
    private func fail(_ exchange: Exchange, status: Int, code: String? = nil, message: String) {
        exchange.upstream?.handler.delegate = nil
        exchange.upstream?.channel.close(promise: nil)
        exchange.upstream = nil
        let action = exchange.progress.fail(status: status)
        log(exchange, outcome: "failed")
        guard case .answer(_, let discardBody) = action else {
            state = .closed
            context?.close(promise: nil)
            return
        }
        state = discardBody ? .discarding : .idle
        let html = exchange.head.headers[canonicalForm: "accept"].contains { $0.lowercased().contains("text/html") }
        writeLocal(ProxyGate.errorAnswer(status: status, code: code ?? (status == 504 ? "app_timeout" : "app_unavailable"), message: message, html: html))
        resumeRead()
    }

    /// A complete exchange: logged, the app connection kept or closed, the next request read.
    private func finish(_ exchange: Exchange) {
        guard let context else { return }
        context.flush()
        log(exchange, outcome: "ok")
        if let upstream = exchange.upstream {
            upstream.handler.delegate = nil
            switch exchange.progress.completion(appConnectionActive: upstream.channel.isActive) {
            case .keepAppConnection: kept = upstream
            case .closeAppConnection: upstream.channel.close(promise: nil)
            }
        }
        state = .idle
        if !keepAlive { context.close(promise: nil) }
        resumeRead()
    }

    private func writeLocal(_ answer: ProxyGate.LocalAnswer) {
        guard let context else { return }
        var headers = HTTPHeaders(answer.fields.map { ($0.name, $0.value) })
        headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status),
                                                             headers: headers))), promise: nil)
        if !answer.body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if !keepAlive { context.close(promise: nil) }
    }

    /// One line per exchange. The token never appears: forwarded paths are the app's own (the token is in the cookie).
    private func log(_ exchange: Exchange, outcome: String) {
        let elapsed = (NIODeadline.now() - exchange.started).nanoseconds
        let milliseconds = elapsed / 1_000_000
        ProxyMetrics.countExchange(outcome: outcome)
        if outcome != "websocket" { ProxyMetrics.exchangeDuration.recordNanoseconds(elapsed) }
        shared.logger.info("proxied", metadata: [
            "method": "\(exchange.head.method.rawValue)", "app": "\(exchange.forward.app.host)",
            "path": "\(exchange.forward.target.prefix { $0 != "?" })",
            "status": "\(exchange.progress.status)", "bytes": "\(exchange.progress.bytesOut)", "ms": "\(milliseconds)",
            "org": "\(exchange.forward.organizationID.map(String.init) ?? "-")", "outcome": "\(outcome)", "request_id": "\(exchange.requestID)",
        ])
    }

    // MARK: WebSocket

    /// Relays the app's `101`, then replaces the HTTP handlers of both connections by a splice.
    private func splice(_ exchange: Exchange, appHead: HTTPResponseHead) {
        guard let context, let upstream = exchange.upstream else { return }
        state = .spliced
        exchange.progress.switchedProtocols()
        log(exchange, outcome: "websocket")
        var fields = ProxiedHeaders.clientResponse(appHead.headers.map { ($0.name, $0.value) }, app: exchange.forward.app,
                                                   frameAncestors: shared.configuration.frameAncestors, corsOrigin: nil,
                                                   crossSite: shared.configuration.cookiesCrossSite)
        fields += [("Connection", "Upgrade"), ("Upgrade", "websocket")]
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .switchingProtocols,
                                                             headers: HTTPHeaders(fields.map { ($0.name, $0.value) })))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        // The codecs are swapped on the next turn of the loop, outside the encoder's own write
        // path; meanwhile reads stay paused on both sides (state .spliced, no delegate).
        upstream.handler.delegate = nil
        upstream.handler.holdReads = true
        let idleTimeout = TimeAmount.milliseconds(Int64(shared.configuration.webSocketIdleTimeoutMilliseconds))
        runtime.connections.markSpliced(context.channel)
        if let session = exchange.forward.session { shared.webSockets.add(session, client: context.channel, upstream: upstream.channel) }
        context.eventLoop.assumeIsolated().execute {
            do {
                try Self.installSplice(client: context, upstream: upstream, idleTimeout: idleTimeout)
            } catch {
                upstream.channel.close(promise: nil)
                context.close(promise: nil)
            }
        }
    }

    private static func installSplice(client: ChannelHandlerContext, upstream: Upstream, idleTimeout: TimeAmount) throws {
        let clientPipeline = client.pipeline.syncOperations
        let upstreamPipeline = upstream.channel.pipeline.syncOperations
        upstream.handler.delegate = nil
        let (clientSide, upstreamSide) = SpliceHandler.pair()

        // The browser's side: the HTTP codec goes (the decoder drops nothing: nginx sends no frame
        // before it has relayed the 101), the splice takes over.
        _ = clientPipeline.removeHandler(try clientPipeline.handler(type: HTTPServerProtocolErrorHandler.self))
        _ = clientPipeline.removeHandler(try clientPipeline.handler(type: NIOHTTPResponseHeadersValidator.self))
        _ = clientPipeline.removeHandler(try clientPipeline.handler(type: HTTPResponseEncoder.self))
        _ = clientPipeline.removeHandler(try clientPipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self))
        _ = clientPipeline.removeHandler(try clientPipeline.handler(type: IdleStateHandler.self))
        try clientPipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout), position: .first)
        try clientPipeline.addHandler(clientSide)

        // The app's side: the splice first, so bytes the app sent right after its 101 (still in
        // the response decoder) are forwarded into it when the decoder goes.
        try upstreamPipeline.addHandler(upstreamSide)
        _ = upstreamPipeline.removeHandler(upstream.handler)
        _ = upstreamPipeline.removeHandler(try upstreamPipeline.handler(type: HTTPRequestEncoder.self))
        // The decoder leaves on a later turn of the loop, handing over bytes the app sent right
        // behind its 101 with no read completing after them: they are flushed then, not with the
        // app's next message.
        let decoderRemoved = upstreamPipeline.removeHandler(try upstreamPipeline.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self))
        _ = upstreamPipeline.removeHandler(try upstreamPipeline.handler(type: IdleStateHandler.self))
        try upstreamPipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout), position: .first)

        let clientChannel = client.channel
        _ = clientPipeline.removeHandler(context: client)
        decoderRemoved.whenComplete { _ in clientChannel.flush() }
        for channel in [clientChannel, upstream.channel] {
            channel.setOption(.allowRemoteHalfClosure, value: true).whenComplete { _ in }
            channel.read()
        }
    }
}
