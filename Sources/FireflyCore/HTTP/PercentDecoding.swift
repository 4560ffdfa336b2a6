/// Decoding of request paths and query strings. Anything that does not decode to valid UTF-8
/// without NUL or control characters is refused (400), never passed on.
public enum PercentDecoding {
    /// Splits a raw path into decoded segments. `nil` when the path is not absolute, has a bad
    /// escape, or decodes to invalid UTF-8 or control characters.
    public static func pathSegments(_ rawPath: String) -> [String]? {
        guard rawPath.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for raw in rawPath.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            guard let decoded = decode(Array(raw), plusAsSpace: false) else { return nil }
            segments.append(decoded)
        }
        // "/a/" → ["a", ""]; keep the trailing empty segment so routes can tell the difference.
        if segments == [""] { return [] }
        return segments
    }

    /// Parses `a=1&b=x%20y` into decoded pairs; nil on a bad escape or invalid UTF-8.
    public static func query(_ rawQuery: String) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for part in rawQuery.utf8.split(separator: UInt8(ascii: "&")) where !part.isEmpty {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(Array(pieces[0]), plusAsSpace: true),
                  let value = decode(pieces.count > 1 ? Array(pieces[1]) : [], plusAsSpace: true) else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    /// Decodes `%XX` escapes (and `+` when asked); nil on a malformed escape, invalid UTF-8, or a
    /// control character (NUL, CR, LF, …).
    public static func decode(_ bytes: [UInt8], plusAsSpace: Bool) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        guard !output.contains(where: { $0 < 0x20 || $0 == 0x7f }) else { return nil }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
