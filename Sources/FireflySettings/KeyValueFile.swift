/// The `KEY=value` configuration file format both FireFly daemons read: one setting per line,
/// `#` comments and blank lines skipped, spaces around key and value ignored, an optional
/// `export ` before the key (the file is also a shell environment file), and a value in matching
/// single or double quotes unquoted.
public enum KeyValueFile {
    /// One setting and the line it is on (1-based).
    public struct Entry: Sendable, Equatable {
        public let line: Int
        public let name: String
        public let value: String
    }

    /// The settings of `text`, in order; a line that is not `KEY=value` is an error naming
    /// `path` and the line.
    public static func entries(_ text: String, path: String) throws -> [Entry] {
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError(key: "\(path):\(index + 1)", problem: "expected KEY=value")
            }
            var name = line[..<equals].trimmingSpaces
            if name.hasPrefix("export ") { name = name.dropFirst(7).trimmingSpaces }
            var value = line[line.index(after: equals)...].trimmingSpaces
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            entries.append(Entry(line: index + 1, name: name, value: value))
        }
        return entries
    }
}
