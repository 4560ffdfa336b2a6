/// Hand-built JSON for hot paths where `JSONEncoder` would cost more than the request itself.
public enum JSONText {
    /// `value` as a JSON string literal (quotes, backslashes and control characters escaped).
    public static func string(_ value: String) -> String {
        var output = "\""
        output.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    /// A JSON string literal, or `null`.
    public static func optional(_ value: String?) -> String { value.map { string($0) } ?? "null" }
}
