import FireflyCore
import FireflySystem

/// `/metrics`: the pool's Prometheus document (``PoolMetrics``), written by the master, for
/// loopback clients only (nginx restricts the location too).
enum MetricsHandler {
    static let handler: Handler = { context in
        guard context.request.isFromLoopback else {
            throw APIError.forbidden("The metrics are only available from the host itself.")
        }
        guard let document = FileDescriptors.readFile(context.configuration.runtimeDirectory + "/" + PoolMetrics.fileName, limit: 16 << 20) else {
            throw APIError.serviceUnavailable("The metrics are not written yet.", retryAfterSeconds: 2)
        }
        return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"), ("Cache-Control", "no-store")],
                        body: document)
    }
}
