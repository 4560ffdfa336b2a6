/// A daemon's settings as text, resolved once from its sources (each key's first non-empty value,
/// else its default; a required key without one is an error), read back through typed accessors
/// that name the key once and report it in every error.
public struct ResolvedSettings: Sendable {
    public private(set) var values: [String: String]

    /// Resolves `keys`: `lookup` gives a key's text from the sources in their order of precedence.
    public init(keys: [SettingKey], lookup: (String) -> String?) throws {
        var values: [String: String] = [:]
        for key in keys {
            if let text = lookup(key.name), !text.isEmpty {
                values[key.name] = text
            } else if let fallback = key.defaultValue {
                values[key.name] = fallback
            } else {
                throw ConfigurationError(key: key.name, problem: "is required but not set")
            }
        }
        self.values = values
    }

    /// Settings already resolved (how a worker receives its master's).
    public init(values: [String: String]) {
        self.values = values
    }

    /// Adds a key outside the fixed list (e.g. a per-provider key).
    public mutating func set(_ key: String, _ text: String) {
        values[key] = text
    }

    /// The text of `key`; empty when unset.
    public func text(_ key: String) -> String { values[key] ?? "" }

    /// The text of `key`, nil when empty.
    public func optionalText(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }

    /// A comma-separated list, items trimmed, empty ones dropped.
    public func list(_ key: String) -> [String] {
        text(key).split(separator: ",").map(\.trimmingSpaces).filter { !$0.isEmpty }
    }

    public func integer(_ key: String, range: ClosedRange<Int>) throws -> Int {
        try ConfigValueParser.integer(text(key), key: key, range: range)
    }

    /// Milliseconds.
    public func duration(_ key: String, range: ClosedRange<Int>) throws -> Int {
        try ConfigValueParser.duration(text(key), key: key, range: range)
    }

    public func byteSize(_ key: String, range: ClosedRange<Int>) throws -> Int {
        try ConfigValueParser.byteSize(text(key), key: key, range: range)
    }

    public func boolean(_ key: String) throws -> Bool {
        try ConfigValueParser.boolean(text(key), key: key)
    }

    public func fileMode(_ key: String) throws -> UInt32 {
        try ConfigValueParser.fileMode(text(key), key: key)
    }

    public func absolutePath(_ key: String) throws -> String {
        try ConfigValueParser.absolutePath(text(key), key: key)
    }
}
