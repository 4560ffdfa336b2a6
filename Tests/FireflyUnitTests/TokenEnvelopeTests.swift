import FoundationEssentials
import FireflyCrypto
import ProxyCore
import Testing

@Suite("App-proxy token envelope")
struct TokenEnvelopeTests {
    let keyHex = String(repeating: "0123456789abcdef", count: 4)
    let now = 1_800_000_000.0
    let target = AppTarget(organizationID: 7, organizationSlug: "acme", provider: "aws", domain: "databricksapps", appName: "vscode")
    let session = SessionBinding(sessionHash: Array(repeating: 9, count: 32))
    let nonce: [UInt8] = Array(0..<16)

    private func seal(_ envelope: TokenEnvelope, expiresAt: Double, urlUsableUntil: Double) throws -> String {
        try envelope.seal(bearerToken: "dapi-secret", target: target, session: session, nonce: nonce, expiresAt: expiresAt, urlUsableUntil: urlUsableUntil)
    }

    private func route(_ token: String, provider: String = "aws", domain: String = "databricksapps", app: String = "vscode") throws -> AppProxyRoute {
        try AppProxyRoute.parse(rawPath: "/app-proxy/\(token)/\(provider)/\(domain)/\(app)/index.html", allowedDomains: ["databricksapps", "otherapps"])
    }

    @Test("key ring: the first key seals, every key opens; a token of a retired key no longer opens; bad rings are refused")
    func keyRing() throws {
        let oldKey = keyHex, newKey = String(repeating: "fedcba9876543210", count: 4)
        let before = try seal(try TokenEnvelope(keyHex: oldKey), expiresAt: now + 600, urlUsableUntil: now + 300)
        let rotated = try TokenEnvelope(keyHex: "# rotated 2026-12-01\n\(newKey)\n\n\(oldKey)\n")
        #expect(rotated.keyCount == 2)
        #expect(try rotated.open(try route(before), now: now).bearerToken == "dapi-secret")
        let after = try seal(rotated, expiresAt: now + 600, urlUsableUntil: now + 300)
        #expect(try TokenEnvelope(keyHex: newKey).open(try route(after), now: now).bearerToken == "dapi-secret")
        #expect(throws: EnvelopeRefusal.self) { try TokenEnvelope(keyHex: oldKey).open(try route(after), now: now) }
        #expect(throws: EnvelopeRefusal.self) { try TokenEnvelope(keyHex: newKey).open(try route(before), now: now) }
        for bad in ["", "# only a comment", "\(newKey)\nnot-hex", String(repeating: "\(newKey)\n", count: 5), String(newKey.dropLast())] {
            #expect(throws: TokenEnvelope.EnvelopeKeyError.self, "\(bad)") { try TokenEnvelope(keyHex: bad) }
        }
    }

    @Test("a bound token opens for its own app, unpadded or padded, with its session and one-time value")
    func roundTrip() throws {
        let envelope = try TokenEnvelope(keyHex: keyHex)
        let token = try seal(envelope, expiresAt: now + 600, urlUsableUntil: now + 300)
        #expect(!token.contains("="))
        let grant = try envelope.open(try route(token), now: now)
        #expect(grant.bearerToken == "dapi-secret")
        #expect(grant.target == target)
        #expect(grant.urlUsableUntil == now + 300)
        #expect(grant.expiresAt == now + 600)
        #expect(grant.session == session)
        #expect(grant.nonce == nonce)
        let padded = token + String(repeating: "=", count: (4 - token.count % 4) % 4)
        #expect(try envelope.open(try route(padded), now: now).bearerToken == "dapi-secret")
    }

    @Test("another app, provider or domain: 403; expired, tampered, truncated, wrong key, oversize: 401")
    func refusals() throws {
        let envelope = try TokenEnvelope(keyHex: keyHex)
        let token = try seal(envelope, expiresAt: now + 600, urlUsableUntil: now + 300)
        for other in [try route(token, app: "attacker"), try route(token, provider: "gcp"), try route(token, domain: "otherapps")] {
            #expect(throws: EnvelopeRefusal.forbidden("this app token was issued for another app")) { try envelope.open(other, now: now) }
        }
        #expect { try envelope.open(try route(token), now: now + 601) } throws: { ($0 as? EnvelopeRefusal).map { if case .unauthorized = $0 { true } else { false } } ?? false }
        var bytes = Array(token.utf8)
        bytes[20] = bytes[20] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = String(decoding: bytes, as: UTF8.self)
        let wrongKey = try TokenEnvelope(keyHex: String(repeating: "f", count: 64))
        let cases: [(TokenEnvelope, String)] = [(envelope, tampered), (envelope, String(token.prefix(30))), (wrongKey, token),
                                                (envelope, String(repeating: "A", count: 9000)), (envelope, "AAAA")]
        for (opener, candidate) in cases {
            let path = try route(candidate)
            do {
                _ = try opener.open(path, now: now)
                Issue.record("accepted \(candidate.prefix(20))")
            } catch {
                guard case .unauthorized = error else { Issue.record("expected 401 for \(candidate.prefix(20)): \(error)"); continue }
            }
        }
    }

    @Test("seed-format tokens only when enabled and allowlisted")
    func legacy() throws {
        let envelope = try TokenEnvelope(keyHex: keyHex)
        // The seed sealed the OAuth token alone, without associated data.
        let key = try #require(Hex.decode(keyHex))
        let seed = TokenEnvelope.encode(try AESGCM.seal(Array("dapi-plain".utf8), key: key))
        #expect(throws: EnvelopeRefusal.forbidden("plain app tokens are not accepted for this app")) { try envelope.open(try route(seed), now: now) }
        let policy = LegacyTokenPolicy(enabled: true, providers: ["aws"], domains: ["databricksapps"], appPatterns: ["vs*"])
        #expect(try envelope.open(try route(seed), now: now, legacy: policy).bearerToken == "dapi-plain")
        #expect(throws: EnvelopeRefusal.self) { try envelope.open(try route(seed, app: "notebook"), now: now, legacy: policy) }
        // A vault ciphertext (other associated data) never opens here.
        let vault = try Vault(key: key)
        let hexSealed = try vault.seal("spn-secret", purpose: "spn-secret")
        let raw = try #require(Hex.decode(String(hexSealed.split(separator: ":")[2])))
        #expect(throws: EnvelopeRefusal.self) { try envelope.open(try route(TokenEnvelope.encode(raw)), now: now, legacy: policy) }
    }

    @Test("a v1 token (no session, no one-time value: sealed with the old associated data) no longer opens")
    func versionOne() throws {
        let envelope = try TokenEnvelope(keyHex: keyHex)
        let key = try #require(Hex.decode(keyHex))
        let v1 = #"{"v":1,"org":7,"provider":"aws","domain":"databricksapps","app":"vscode","exp":9999999999,"tok":"t"}"#
        let sealed = TokenEnvelope.encode(try AESGCM.seal(Array(v1.utf8), key: key, associatedData: Array("firefly/app-proxy-token/v1".utf8)))
        #expect(throws: EnvelopeRefusal.self) { try envelope.open(try route(sealed), now: now) }
    }

    @Test("the key must be 64 hex characters")
    func keys() {
        #expect(throws: (any Error).self) { try TokenEnvelope(keyHex: "abc") }
        #expect(throws: (any Error).self) { try TokenEnvelope(keyHex: String(repeating: "g", count: 64)) }
    }
}
