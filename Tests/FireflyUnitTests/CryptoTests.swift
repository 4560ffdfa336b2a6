import FireflyCrypto
import Testing

@Suite("OpenSSL wrapper")
struct CryptoTests {
    @Test("SHA-256 matches the published test vectors")
    func sha256() {
        #expect(Hex.encode(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var streaming = SHA256()
        streaming.update(Array("a".utf8))
        streaming.update(Array("bc".utf8))
        #expect(Hex.encode(streaming.finalize()) == Hex.encode(SHA256.hash("abc")))
    }

    @Test("random bytes have the asked length and differ")
    func random() {
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(SecureRandom.hex(16).count == 32)
    }

    @Test("hex round trip and refusals")
    func hex() {
        #expect(Hex.decode("00ff10Ab") == [0x00, 0xff, 0x10, 0xab])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

@Suite("URL-safe base64")
struct Base64URLTests {
    @Test("round trips every length, accepts padding, refuses anything else")
    func roundTrip() {
        for length in 0...67 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let encoded = Base64URL.encode(bytes)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            #expect(Base64URL.decode(encoded) == bytes)
            let padded = encoded + String(repeating: "=", count: (4 - encoded.count % 4) % 4)
            #expect(Base64URL.decode(padded) == bytes)
        }
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
        for bad in ["a", "ab=c", "+/+/", "abc===", "ab==c", "ab c", "abcde", "ab=", "ÄÖ"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
    }
}
