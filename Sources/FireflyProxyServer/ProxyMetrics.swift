import CoreMetrics
import FireflyMetrics

/// The proxy's metric handles, made once (after the backend is installed at start).
public enum ProxyMetrics {
    static let bytesToApp = Counter(label: MetricCatalogue.proxyBytes.name, dimensions: [("direction", "to_app")])
    static let bytesToClient = Counter(label: MetricCatalogue.proxyBytes.name, dimensions: [("direction", "to_client")])
    static let openWebSockets = Gauge(label: MetricCatalogue.proxyWebSockets.name)
    static let openConnections = Gauge(label: MetricCatalogue.proxyConnections.name)
    static let exchangeDuration = Timer(label: MetricCatalogue.proxyDuration.name)

    /// The outcomes ``ClientHandler`` logs, each with its counter.
    static let outcomes = ["ok", "failed", "client_closed", "websocket", "answered"]
    private static let exchangeCounters: [String: Counter] = Dictionary(uniqueKeysWithValues: outcomes.map {
        ($0, Counter(label: MetricCatalogue.proxyExchanges.name, dimensions: [("outcome", $0)]))
    })

    /// Registers every series at start, at zero: a scraper sees them before the first request.
    public static func prepare() {
        for counter in [bytesToApp, bytesToClient] + exchangeCounters.values { counter.increment(by: 0) }
        openWebSockets.record(0)
        openConnections.record(0)
        _ = exchangeDuration
        for succeeded in [true, false] {
            Counter(label: MetricCatalogue.proxyReloads.name, dimensions: [("outcome", succeeded ? "ok" : "failed")]).increment(by: 0)
        }
    }

    static func countExchange(outcome: String) {
        exchangeCounters[outcome]?.increment()
    }

    public static func countReload(succeeded: Bool) {
        Counter(label: MetricCatalogue.proxyReloads.name, dimensions: [("outcome", succeeded ? "ok" : "failed")]).increment()
    }
}
