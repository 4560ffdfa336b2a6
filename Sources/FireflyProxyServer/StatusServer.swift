import FireflyMetrics
import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOPosix

/// The proxy's loopback listener for the host's own monitoring: `GET /healthz` (200 while running,
/// 503 while draining), `/status` (JSON, ``ProxyStatus``) and `/metrics` (Prometheus text).
public struct StatusServer {
    let runtime: ProxyRuntime
    let metrics: PrometheusBackend
    let group: any EventLoopGroup

    public init(runtime: ProxyRuntime, metrics: PrometheusBackend, group: any EventLoopGroup) {
        self.runtime = runtime
        self.metrics = metrics
        self.group = group
    }

    public func start(host: String, port: Int) throws -> any Channel {
        let runtime = self.runtime, metrics = self.metrics
        return try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(StatusHandler(runtime: runtime, metrics: metrics))
                }
            }
            .bind(host: host, port: port).wait()
    }
}
