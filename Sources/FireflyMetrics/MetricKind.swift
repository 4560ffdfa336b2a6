/// The Prometheus metric types FireFly exposes.
public enum MetricKind: String, Sendable, Equatable {
    case counter
    case gauge
    case histogram

    /// Whether a value survives the process that counted it: counters and histograms are totals
    /// (a retired worker's are kept), gauges describe the present (they go with their process).
    public var isCumulative: Bool { self != .gauge }
}
