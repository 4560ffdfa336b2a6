import CoreMetrics
import Prometheus

/// The process's metrics backend: every swift-metrics handler FireFly makes lands in one Prometheus
/// registry, read back as a ``MetricsExposition``.
public struct PrometheusBackend: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Installs a new registry as the process's `MetricsSystem` (once per process).
    public static func bootstrap() -> PrometheusBackend {
        let backend = PrometheusBackend(registry: PrometheusCollectorRegistry())
        var factory = PrometheusMetricsFactory(registry: backend.registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        MetricsSystem.bootstrap(factory)
        return backend
    }

    /// What the registry holds now.
    public func exposition() -> MetricsExposition {
        MetricsExposition(parsing: registry.emitToString())
    }
}
