import CoreMetrics
import FireflyMetrics

/// One series per route pattern (never a raw path: ids and names stay out of labels).
enum RequestMetrics {
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    private struct Series: Hashable, Sendable {
        let route: String
        let method: String
        let status: Int
    }

    private static let counters = MetricHandleCache<Series, Counter> { series in
        Counter(label: MetricCatalogue.httpRequests.name,
                dimensions: [("route", series.route), ("method", series.method), ("status", "\(series.status)")])
    }
    private static let timers = MetricHandleCache<String, Timer> { route in
        Timer(label: MetricCatalogue.httpDuration.name, dimensions: [("route", route)])
    }

    static func record(route: String, method: String, status: Int, nanoseconds: UInt64) {
        // Methods come from clients: unknown ones share one series, so nobody can grow the registry.
        let method = knownMethods.contains(method) ? method : "other"
        counters.handle(Series(route: route, method: method, status: status)).increment()
        timers.handle(route).recordNanoseconds(Int64(clamping: nanoseconds))
    }
}
