import FoundationEssentials
import FireflyMetrics
import NIOCore
import NIOHTTP1

/// Answers the status listener's three documents.
final class StatusHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let runtime: ProxyRuntime
    private let metrics: PrometheusBackend
    private var head: HTTPRequestHead?

    init(runtime: ProxyRuntime, metrics: PrometheusBackend) {
        self.runtime = runtime
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, type, body) = answer(head)
            var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", "\(body.utf8.count)"), ("Cache-Control", "no-store")])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil) }
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }

    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        guard head.method == .GET || head.method == .HEAD else { return (.methodNotAllowed, "text/plain", "GET only\n") }
        switch head.uri.prefix(while: { $0 != "?" }) {
        case "/healthz":
            return runtime.isDraining ? (.serviceUnavailable, "text/plain", "draining\n") : (.ok, "text/plain", "ok\n")
        case "/status":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = (try? encoder.encode(runtime.status())).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return (.ok, "application/json", json + "\n")
        case "/metrics":
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition().rendered())
        default:
            return (.notFound, "text/plain", "not found: /healthz, /status or /metrics\n")
        }
    }
}
