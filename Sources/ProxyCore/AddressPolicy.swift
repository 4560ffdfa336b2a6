import FoundationEssentials

/// Which resolved addresses the proxy may connect to: public unicast only. Loopback, private,
/// link-local, shared (CGNAT), unspecified, multicast and reserved ranges are refused, also when
/// wrapped in IPv6 (IPv4-mapped, NAT64 well-known prefix, 6to4), so a DNS answer cannot point the
/// proxy, and the bearer token it carries, at the host it runs on or at the internal network.
public enum AddressPolicy {
    /// The address's bytes (4 or 16), or nil when `text` is not a literal IP address.
    public static func parse(_ text: String) -> [UInt8]? {
        parseIPv4(Substring(text)) ?? parseIPv6(text)
    }

    /// True when the proxy may connect to `bytes`.
    public static func isPublic(_ bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 4: return isPublicIPv4(bytes)
        case 16: return isPublicIPv6(bytes)
        default: return false
        }
    }

    private static func isPublicIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false                 // this network, private, loopback
        case (100, 64...127): return false                            // shared address space (CGNAT)
        case (169, 254): return false                                 // link-local (cloud metadata)
        case (172, 16...31), (192, 168): return false                 // private
        case (192, 0) where b[2] == 0 || b[2] == 2: return false      // IETF protocol assignments, TEST-NET-1
        case (198, 18...19): return false                             // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return false  // TEST-NET-2/3
        case (224...255, _): return false                             // multicast, reserved, broadcast
        default: return true
        }
    }

    private static func isPublicIPv6(_ b: [UInt8]) -> Bool {
        let zeroPrefix = b[0..<10].allSatisfy { $0 == 0 }
        if zeroPrefix && b[10] == 0xff && b[11] == 0xff { return isPublicIPv4(Array(b[12..<16])) }  // IPv4-mapped
        if b[0..<12].allSatisfy({ $0 == 0 }) { return false }        // ::, ::1, IPv4-compatible
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b { return isPublicIPv4(Array(b[12..<16])) }  // NAT64 64:ff9b::/96
        if b[0] == 0x20, b[1] == 0x02 { return isPublicIPv4(Array(b[2..<6])) }  // 6to4
        if b[0] & 0xfe == 0xfc { return false }                       // unique local fc00::/7
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 || b[1] & 0xc0 == 0xc0 { return false }  // link-local, site-local
        if b[0] == 0xff { return false }                              // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return false }  // documentation
        if b[0] == 0x01, b[1] == 0x00, b[2..<8].allSatisfy({ $0 == 0 }) { return false }  // discard-only 100::/64
        return true
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            // Decimal only, no leading zeros: "010" (octal to some resolvers) is refused, not guessed.
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                  part.count == 1 || part.first != "0", let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), !text.contains("%") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    bytes += v4
                } else {
                    guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
                }
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
