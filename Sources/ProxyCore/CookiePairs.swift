/// The `name=value` pairs of a `Cookie` field, as bytes: split at `;`, leading spaces and empty
/// pairs left out. The field is copied into one byte array first: splitting `String.UTF8View`
/// itself cost the proxy about 5 % of its CPU per request (a cookie holds the ~450-byte token).
struct CookiePairs: Sequence {
    private let bytes: [UInt8]

    init(_ fieldValue: String) { bytes = Array(fieldValue.utf8) }

    func makeIterator() -> Iterator { Iterator(bytes: bytes[...]) }

    /// Walks the pairs with a plain scan (the generic `split` is not specialized into this module).
    struct Iterator: IteratorProtocol {
        var bytes: ArraySlice<UInt8>

        mutating func next() -> ArraySlice<UInt8>? {
            while !bytes.isEmpty {
                let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
                let pair = bytes[..<end].drop { $0 == UInt8(ascii: " ") }
                bytes = end == bytes.endIndex ? bytes[end...] : bytes[(end + 1)...]
                if !pair.isEmpty { return pair }
            }
            return nil
        }
    }

    /// True when `pair`'s name starts like one of FireFly's cookies (see ``AppTokenCookie/isFireFlys(_:)``).
    static func isFireFlys(_ pair: ArraySlice<UInt8>) -> Bool {
        let name = pair.prefix { $0 != UInt8(ascii: "=") }
        return AppTokenCookie.fireFlyPrefixes.contains { prefix in
            name.count >= prefix.count && zip(name, prefix).allSatisfy { byte, expected in asciiLowercased(byte) == expected }
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
