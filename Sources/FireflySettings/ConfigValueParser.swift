/// Parsers for configuration values; each failure names the key and says what was expected.
public enum ConfigValueParser {
    /// A whole number within `range`.
    public static func integer(_ text: String, key: String, range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text.trimmingSpaces), range.contains(value) else {
            throw ConfigurationError(key: key, problem: "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// A duration with a unit (`500ms`, `10s`, `2m`, `1h`), in milliseconds, within `range` milliseconds.
    public static func duration(_ text: String, key: String, range: ClosedRange<Int>) throws -> Int {
        let trimmed = text.trimmingSpaces.lowercased()
        if trimmed == "0", range.contains(0) { return 0 }  // "never"/"none" needs no unit
        let units: [(suffix: String, factor: Int)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            guard let value = Int(number), value >= 0 else { break }
            let (milliseconds, overflow) = value.multipliedReportingOverflow(by: unit.factor)
            if !overflow, range.contains(milliseconds) { return milliseconds }
            throw ConfigurationError(key: key, problem: "duration \"\(text)\" is outside \(describe(range.lowerBound))…\(describe(range.upperBound))")
        }
        throw ConfigurationError(key: key, problem: "expected a duration such as 500ms, 10s, 2m, 1h or 30d, got \"\(text)\"")
    }

    /// A byte size (`16384`, `16k`, `10m`, `1g`; binary multiples) within `range`.
    public static func byteSize(_ text: String, key: String, range: ClosedRange<Int>) throws -> Int {
        let trimmed = text.trimmingSpaces.lowercased()
        let factors: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        var digits = Substring(trimmed)
        var factor = 1
        if let last = trimmed.last, let multiple = factors[last] {
            factor = multiple
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value >= 0 else {
            throw ConfigurationError(key: key, problem: "expected a size such as 16384, 16k, 10m or 1g, got \"\(text)\"")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow, range.contains(bytes) else {
            throw ConfigurationError(key: key, problem: "size \"\(text)\" is outside \(range.lowerBound)…\(range.upperBound) bytes")
        }
        return bytes
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`, `1`/`0`).
    public static func boolean(_ text: String, key: String) throws -> Bool {
        switch text.trimmingSpaces.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError(key: key, problem: "expected true or false, got \"\(text)\"")
        }
    }

    /// An octal file mode such as `0660`.
    public static func fileMode(_ text: String, key: String) throws -> UInt32 {
        guard let mode = UInt32(text.trimmingSpaces, radix: 8), mode <= 0o777 else {
            throw ConfigurationError(key: key, problem: "expected an octal file mode such as 0660, got \"\(text)\"")
        }
        return mode
    }

    /// An absolute path.
    public static func absolutePath(_ text: String, key: String) throws -> String {
        let trimmed = text.trimmingSpaces
        guard trimmed.hasPrefix("/"), !trimmed.contains("\0") else {
            throw ConfigurationError(key: key, problem: "expected an absolute path, got \"\(text)\"")
        }
        return trimmed
    }

    private static func describe(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace.
    public var trimmingSpaces: String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
