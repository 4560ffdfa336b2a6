import FireflySettings
import FoundationEssentials

/// The tus 1.0 request headers FireFly reads, parsed without trusting them: `Upload-Metadata`,
/// `Upload-Length` and `Upload-Offset`, `Upload-Checksum`.
public enum TusHeaders {
    /// `Upload-Metadata`: comma-separated `key base64value` pairs (a key alone has an empty value;
    /// a value that is not base64 is empty).
    public static func metadata(_ header: String?) -> [String: String] {
        var values: [String: String] = [:]
        for pair in (header ?? "").split(separator: ",") {
            let parts = pair.trimmingSpaces.split(separator: " ", maxSplits: 1)
            guard let key = parts.first else { continue }
            let value = parts.count > 1 ? Data(base64Encoded: String(parts[1])).map { String(decoding: $0, as: UTF8.self) } : ""
            values[String(key)] = value ?? ""
        }
        return values
    }

    /// `Upload-Length` or `Upload-Offset`: a non-negative decimal number, nothing else.
    public static func length(_ header: String?) -> Int64? {
        guard let header, !header.isEmpty, header.count <= 19, header.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(header)
    }

    /// `Upload-Checksum: sha256 <base64>`: the digest's bytes; nil for another algorithm or a
    /// malformed value.
    public static func sha256Checksum(_ header: String) -> [UInt8]? {
        let parts = header.split(separator: " ")
        guard parts.count == 2, parts[0] == "sha256", let digest = Data(base64Encoded: String(parts[1])), digest.count == 32 else { return nil }
        return Array(digest)
    }
}
