import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let ok = buffer.withUnsafeMutableBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return 1 }
            return RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(raw.count))
        }
        // RAND_bytes fails only when the DRBG cannot be seeded: continuing would be unsafe.
        precondition(ok == 1, "OpenSSL RAND_bytes failed: no entropy")
        return buffer
    }

    /// `count` random bytes as lowercase hex.
    public static func hex(_ count: Int) -> String {
        Hex.encode(bytes(count))
    }
}
