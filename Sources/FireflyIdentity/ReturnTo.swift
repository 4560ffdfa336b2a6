/// `return_to` after login: only local paths. Refused (and replaced by "/"): absolute URLs,
/// scheme-relative `//host`, `/\host`, backslashes anywhere, control characters, and any of
/// these hidden behind percent-encoding (decoded up to three times).
public enum ReturnTo {
    public static let fallback = "/"

    /// `raw` when it is a safe local path, otherwise "/".
    public static func sanitize(_ raw: String?) -> String {
        guard let raw, isSafe(raw) else { return fallback }
        return raw
    }

    public static func isSafe(_ path: String) -> Bool {
        guard path.utf8.count <= 2048 else { return false }
        var current = path
        for _ in 0..<3 {
            guard isSafeLiteral(current) else { return false }
            guard current.contains("%") else { return true }
            guard let decoded = percentDecoded(current) else { return false }
            if decoded == current { return true }
            current = decoded
        }
        return isSafeLiteral(current) && !current.contains("%")
    }

    private static func isSafeLiteral(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        guard scalars.first == "/" else { return false }
        if scalars.count > 1, scalars[1] == "/" || scalars[1] == "\\" { return false }
        for scalar in scalars {
            if scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7f { return false }
            // Unicode look-alikes of the slashes browsers may normalise.
            if ["\u{2044}", "\u{2215}", "\u{FF0F}", "\u{FF3C}", "\u{29F8}"].contains(scalar) { return false }
        }
        return true
    }

    private static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
