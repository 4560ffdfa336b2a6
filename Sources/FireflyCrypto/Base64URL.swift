import FoundationEssentials

/// URL-safe base64 (RFC 4648 §5): JWT segments, cookie values, PKCE, app-proxy tokens.
public enum Base64URL {
    /// Unpadded URL-safe base64.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }

    /// URL-safe base64, padded (only at the end) or not; nil for anything else.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let string = String(text)
        guard string.utf8.allSatisfy({ byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "=")
        }) else { return nil }
        var unpadded = Substring(string)
        while unpadded.hasSuffix("=") { unpadded = unpadded.dropLast() }
        guard !unpadded.contains("="), string.count - unpadded.count <= 2, unpadded.count % 4 != 1 else { return nil }
        var base64 = String(unpadded).replacing("-", with: "+").replacing("_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
