import FireflyMetrics
import Prometheus
import Testing

@Suite("Prometheus text merged across processes")
struct MetricsExpositionTests {
    /// What one worker's registry writes: a counter with labels, a histogram, a gauge.
    static func workerText(requests: Int, observations: [Duration], busy: Int) -> String {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "firefly_http_requests_total"),
                             labels: [("route", "/api/me"), ("method", "GET"), ("status", "200")]).increment(by: Int64(requests))
        let histogram = registry.makeDurationHistogram(descriptor: MetricNameDescriptor(metricName: "firefly_http_request_duration_seconds"),
                                                       labels: [("route", "/api/me")], buckets: [.milliseconds(10), .milliseconds(100), .seconds(1)])
        for observation in observations { histogram.record(observation) }
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "firefly_test_busy"), labels: []).set(Double(busy))
        return registry.emitToString()
    }

    @Test("two workers' counters and histogram buckets add up; gauges add while both live")
    func sums() {
        var total = MetricsExposition(parsing: Self.workerText(requests: 3, observations: [.milliseconds(5), .milliseconds(50)], busy: 1))
        total.add(MetricsExposition(parsing: Self.workerText(requests: 4, observations: [.milliseconds(500)], busy: 2)))
        #expect(total.value(of: #"firefly_http_requests_total{route="/api/me",method="GET",status="200"}"#) == 7)
        #expect(total.value(of: #"firefly_http_request_duration_seconds_bucket{route="/api/me",le="0.01"}"#) == 1)
        #expect(total.value(of: #"firefly_http_request_duration_seconds_bucket{route="/api/me",le="0.1"}"#) == 2)
        #expect(total.value(of: #"firefly_http_request_duration_seconds_bucket{route="/api/me",le="+Inf"}"#) == 3)
        #expect(total.value(of: #"firefly_http_request_duration_seconds_count{route="/api/me"}"#) == 3)
        #expect(total.value(of: "firefly_test_busy") == 3)
    }

    @Test("an exited worker's totals stay, its gauges go")
    func retired() {
        var retired = MetricsExposition()
        retired.add(MetricsExposition(parsing: Self.workerText(requests: 5, observations: [.milliseconds(5)], busy: 4)), cumulativeOnly: true)
        var total = retired
        total.add(MetricsExposition(parsing: Self.workerText(requests: 1, observations: [], busy: 1)))
        #expect(total.value(of: #"firefly_http_requests_total{route="/api/me",method="GET",status="200"}"#) == 6)
        #expect(total.value(of: "firefly_test_busy") == 1)
    }

    @Test("rendered with the catalogue's help, buckets ascending, integers without a decimal point")
    func rendering() {
        var total = MetricsExposition(parsing: Self.workerText(requests: 2, observations: [.milliseconds(50)], busy: 0))
        total.set(MetricCatalogue.poolThreads, labels: [("state", "busy")], value: 3)
        let text = total.rendered()
        #expect(text.contains("# HELP firefly_http_requests_total \(MetricCatalogue.httpRequests.help)\n# TYPE firefly_http_requests_total counter\n"))
        #expect(text.contains(#"firefly_pool_threads{state="busy"} 3"# + "\n"))
        let buckets = text.split(separator: "\n").filter { $0.hasPrefix("firefly_http_request_duration_seconds_bucket") }
        #expect(buckets.map { $0.split(separator: " ").last.map(String.init) } == ["0", "1", "1", "1"])
        #expect(buckets.last?.contains(#"le="+Inf""#) == true)
        // A round trip changes nothing.
        #expect(MetricsExposition(parsing: text).rendered() == text)
    }

    @Test("label values are escaped as the text format requires")
    func escaping() {
        #expect(MetricsExposition.labelText([("route", #"a"b\c"#)]) == #"{route="a\"b\\c"}"#)
        #expect(MetricsExposition.labelText([]) == "")
    }

    @Test("every catalogue name is a valid Prometheus name with the conventional suffix")
    func catalogue() {
        for family in MetricCatalogue.all {
            #expect(family.name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
            #expect(family.name.hasPrefix("firefly_"))
            #expect(family.kind != .counter || family.name.hasSuffix("_total"))
            #expect(family.kind != .histogram || family.name.hasSuffix("_seconds"))
            #expect(MetricCatalogue.family(named: family.name)?.help == family.help)
        }
    }
}
