import CoreMetrics
import FireflyMetrics

/// The gateway's metrics: Databricks calls, retries, token exchanges, metadata cache lookups.
/// Labels name endpoint patterns (`/api/2.1/unity-catalog/schemas`), never ids or names.
enum GatewayMetrics {
    private struct Call: Hashable, Sendable {
        let endpoint: String
        let method: String
        let outcome: String
    }

    private static let calls = MetricHandleCache<Call, Counter> { call in
        Counter(label: MetricCatalogue.databricksCalls.name, dimensions: [("endpoint", call.endpoint), ("method", call.method), ("outcome", call.outcome)])
    }
    private static let durations = MetricHandleCache<String, Timer> { endpoint in
        Timer(label: MetricCatalogue.databricksDuration.name, dimensions: [("endpoint", endpoint)])
    }

    /// One attempt of a call (templates are the code's own endpoint patterns: a bounded set).
    static func countCall(method: String, template: String, status: Int, nanoseconds: UInt64) {
        calls.handle(Call(endpoint: template, method: method, outcome: outcome(status))).increment()
        durations.handle(template).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    static func countRetry(template: String) {
        Counter(label: MetricCatalogue.databricksRetries.name, dimensions: [("endpoint", template)]).increment()
    }

    static func countTokenExchange(succeeded: Bool) {
        Counter(label: MetricCatalogue.tokenExchanges.name, dimensions: [("outcome", succeeded ? "ok" : "failed")]).increment()
    }

    static let metadataHits = Counter(label: MetricCatalogue.cacheLookups.name, dimensions: [("cache", "metadata"), ("result", "hit")])
    static let metadataMisses = Counter(label: MetricCatalogue.cacheLookups.name, dimensions: [("cache", "metadata"), ("result", "miss")])

    /// `2xx`, `4xx`, `429`, `5xx`, or `network_error` for no answer.
    static func outcome(_ status: Int) -> String {
        switch status {
        case 0: "network_error"
        case 429: "429"
        default: "\(status / 100)xx"
        }
    }
}
