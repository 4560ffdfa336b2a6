/// A SQL statement whose interpolated values become bind parameters (`$1`, `$2`, …), so a value
/// can never be spliced into the SQL text by accident.
///
///     let query: SQLQuery = "SELECT name FROM organizations WHERE id = \(id)"
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$n` placeholders.
    public var sql: String
    /// Parameter values in text format; nil is SQL NULL.
    public var bindings: [String?]

    public init(stringLiteral value: String) {
        self.sql = value
        self.bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.bindings = stringInterpolation.bindings
    }

    /// The SQL text only: bound values are never printed, so logging a query cannot leak them.
    public var description: String { sql }

    /// Builds the SQL text and the bind list.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var bindings: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a string.
        public mutating func appendInterpolation(_ value: String?) {
            bind(value)
        }

        /// Binds an integer.
        public mutating func appendInterpolation(_ value: Int?) {
            bind(value.map { String($0) })
        }

        /// Binds a 64-bit integer.
        public mutating func appendInterpolation(_ value: Int64?) {
            bind(value.map { String($0) })
        }

        /// Binds a boolean.
        public mutating func appendInterpolation(_ value: Bool?) {
            bind(value.map { $0 ? "true" : "false" })
        }

        /// Binds bytes as `bytea` (hex format).
        public mutating func appendInterpolation(bytes value: [UInt8]?) {
            bind(value.map { "\\x" + $0.map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
            }.joined() })
        }

        /// Binds an array in PostgreSQL's text form (`{"a","b",NULL}`): cast it in the SQL
        /// (`\(array: ids)::bigint[]`), e.g. for `unnest` of many rows in one statement.
        public mutating func appendInterpolation(array values: [String?]) {
            var literal: [UInt8] = [UInt8(ascii: "{")]
            for (index, value) in values.enumerated() {
                if index > 0 { literal.append(UInt8(ascii: ",")) }
                guard let value else { literal += "NULL".utf8; continue }
                literal.append(UInt8(ascii: "\""))
                for byte in value.utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                    literal.append(byte)
                }
                literal.append(UInt8(ascii: "\""))
            }
            literal.append(UInt8(ascii: "}"))
            bind(String(decoding: literal, as: UTF8.self))
        }

        private mutating func bind(_ value: String?) {
            bindings.append(value)
            sql += "$\(bindings.count)"
        }
    }
}
