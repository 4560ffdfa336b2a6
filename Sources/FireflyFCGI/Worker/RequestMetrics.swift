import CoreMetrics
import FireflyMetrics

/// One thread's request counters and latency timers, one series per route pattern (never a raw
/// path: ids and names stay out of labels). Each thread keeps the handles it has used, so counting
/// a request takes no lock of its own.
final class RequestMetrics {
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    private struct Series: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private var counters: [Series: Counter] = [:]
    private var timers: [String: Timer] = [:]

    func record(route: String, method: String, status: Int, nanoseconds: UInt64) {
        // Methods come from clients: unknown ones share one series, so nobody can grow the registry.
        let series = Series(route: route, method: Self.knownMethods.contains(method) ? method : "other", status: status)
        if let counter = counters[series] {
            counter.increment()
        } else {
            let counter = Counter(label: MetricCatalogue.httpRequests.name,
                                  dimensions: [("route", series.route), ("method", series.method), ("status", "\(series.status)")])
            counters[series] = counter
            counter.increment()
        }
        if let timer = timers[route] {
            timer.recordNanoseconds(Int64(clamping: nanoseconds))
        } else {
            let timer = Timer(label: MetricCatalogue.httpDuration.name, dimensions: [("route", route)])
            timers[route] = timer
            timer.recordNanoseconds(Int64(clamping: nanoseconds))
        }
    }
}
