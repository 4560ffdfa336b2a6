/// Prometheus text exposition as a value: parsed from one process's output, summed with others'
/// (the pool's master adds its workers' snapshots and keeps the totals of workers that have
/// exited), rendered with the help text of ``MetricCatalogue``. Series keep the order they were
/// first seen in, so histogram buckets stay ascending.
public struct MetricsExposition: Sendable, Equatable {
    struct Family: Sendable, Equatable {
        var kind: MetricKind
        var help: String?
        var order: [String] = []
        var values: [String: Double] = [:]

        mutating func add(_ series: String, _ value: Double) {
            if let current = values[series] {
                values[series] = current + value
            } else {
                values[series] = value
                order.append(series)
            }
        }
    }

    private(set) var families: [String: Family] = [:]

    public init() {}

    /// Parses `text` (the 0.0.4 text format, as swift-prometheus writes it). Lines it does not
    /// understand are skipped; samples of undeclared families are kept as gauges.
    public init(parsing text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", maxSplits: 3)
                guard words.count >= 3 else { continue }
                let name = String(words[2])
                if words[1] == "TYPE", words.count == 4, let kind = MetricKind(rawValue: String(words[3])) {
                    families[name, default: Family(kind: kind)].kind = kind
                } else if words[1] == "HELP", words.count == 4 {
                    families[name, default: Family(kind: .gauge)].help = String(words[3])
                }
                continue
            }
            guard let space = line.lastIndex(of: " "), let value = Self.parseValue(line[line.index(after: space)...]) else { continue }
            let series = String(line[..<space])
            let sampleName = String(series.prefix { $0 != "{" })
            let family = Self.familyName(of: sampleName, families: families)
            families[family, default: Family(kind: .gauge)].add(series, value)
        }
    }

    /// Adds `other`'s values series by series; with `cumulativeOnly`, its gauges are left out.
    public mutating func add(_ other: MetricsExposition, cumulativeOnly: Bool = false) {
        for (name, family) in other.families where !cumulativeOnly || family.kind.isCumulative {
            var merged = families[name] ?? Family(kind: family.kind, help: family.help)
            for series in family.order { merged.add(series, family.values[series] ?? 0) }
            families[name] = merged
        }
    }

    /// Sets one sample of a catalogue family (the master's own figures).
    public mutating func set(_ family: MetricCatalogue.Family, labels: [(String, String)] = [], value: Double) {
        let series = family.name + Self.labelText(labels)
        var entry = families[family.name] ?? Family(kind: family.kind, help: family.help)
        if entry.values[series] == nil { entry.order.append(series) }
        entry.values[series] = value
        families[family.name] = entry
    }

    /// The value of one series, e.g. `firefly_http_requests_total{route="/healthz",method="GET",status="200"}`.
    public func value(of series: String) -> Double? {
        let sampleName = String(series.prefix { $0 != "{" })
        return families[Self.familyName(of: sampleName, families: families)]?.values[series]
    }

    /// The text exposition: families by name, each with HELP (the catalogue's, else the parsed
    /// one) and TYPE lines.
    public func rendered() -> String {
        var text = ""
        for name in families.keys.sorted() {
            guard let family = families[name], !family.order.isEmpty else { continue }
            if let help = MetricCatalogue.family(named: name)?.help ?? family.help {
                text += "# HELP \(name) \(help)\n"
            }
            text += "# TYPE \(name) \(family.kind.rawValue)\n"
            for series in family.order { text += "\(series) \(Self.formatValue(family.values[series] ?? 0))\n" }
        }
        return text
    }

    /// `{a="x",b="y"}` with values escaped as the text format requires; empty for no labels.
    public static func labelText(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.map { name, value in
            var escaped = ""
            for character in value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return "\(name)=\"\(escaped)\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    private static func familyName(of sampleName: String, families: [String: Family]) -> String {
        if families[sampleName] != nil { return sampleName }
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if families[base]?.kind == .histogram { return base }
        }
        return sampleName
    }

    private static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    private static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
