import CoreMetrics
import FireflyMetrics

/// One series per route pattern (never a raw path: ids and names stay out of labels).
enum RequestMetrics {
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    static func record(route: String, method: String, status: Int, nanoseconds: UInt64) {
        // Methods come from clients: unknown ones share one series, so nobody can grow the registry.
        let method = knownMethods.contains(method) ? method : "other"
        Counter(label: MetricCatalogue.httpRequests.name, dimensions: [("route", route), ("method", method), ("status", "\(status)")]).increment()
        Timer(label: MetricCatalogue.httpDuration.name, dimensions: [("route", route)]).recordNanoseconds(Int64(clamping: nanoseconds))
    }
}
