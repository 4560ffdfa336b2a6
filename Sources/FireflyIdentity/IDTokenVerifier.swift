import Dispatch
import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import JWTKit
import Synchronization

/// ID-token verification: the algorithm allowlist and key lookup are checked here before jwt-kit
/// verifies the signature (so `none`, HS* and a key picked by an attacker never reach it), then
/// every claim the OIDC core spec requires of a relying party.
public enum IDTokenVerifier {
    /// Asymmetric algorithms only: never `none`, never HMAC (a public key used as an HMAC secret).
    public static let allowedAlgorithms: Set<String> = ["RS256", "PS256", "ES256"]

    /// The token's `alg` and `kid`, after checking the algorithm is allowed.
    public static func header(of token: String) throws -> (algorithm: String, keyID: String?) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64URL.decode(parts[0]), let header = JSONValue.object(bytes) else {
            throw IdentityError.invalidToken("the ID token is not a signed JWT")
        }
        guard let algorithm = header["alg"]?.string, allowedAlgorithms.contains(algorithm) else {
            throw IdentityError.invalidToken("the ID token's algorithm \(header["alg"]?.string ?? "(none)") is not allowed")
        }
        return (algorithm, header["kid"]?.string)
    }

    /// True when `keys` holds the key the token names (or, without a `kid`, the set has exactly one key).
    public static func hasKey(for keyID: String?, in keys: SigningKeys) -> Bool {
        if let keyID { return keys.keyIDs.contains(keyID) }
        return keys.count == 1
    }

    /// Verifies signature and claims; returns the claims.
    public static func verify(_ token: String, keys: SigningKeys, expect: IDTokenExpectations) async throws -> [String: JSONValue] {
        let (_, keyID) = try header(of: token)
        guard hasKey(for: keyID, in: keys) else {
            throw IdentityError.invalidToken("the ID token is signed with an unknown key (kid \(keyID ?? "none"))")
        }
        do {
            _ = try await keys.collection.verify(token, as: SignatureOnly.self)
        } catch {
            throw IdentityError.invalidToken("the ID token's signature does not verify")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard let payload = Base64URL.decode(parts[1]), let claims = JSONValue.object(payload) else {
            throw IdentityError.invalidToken("the ID token's claims are not JSON")
        }
        try check(claims, expect)
        return claims
    }

    /// The claim checks of OIDC Core 3.1.3.7.
    static func check(_ claims: [String: JSONValue], _ expect: IDTokenExpectations) throws {
        guard claims["iss"]?.string == expect.issuer else { throw IdentityError.invalidToken("the ID token was issued by someone else") }
        guard let subject = claims["sub"]?.string, !subject.isEmpty else { throw IdentityError.invalidToken("the ID token has no subject") }
        let audiences = claims["aud"]?.strings ?? []
        guard audiences.contains(expect.clientID) else { throw IdentityError.invalidToken("the ID token is meant for another client") }
        if let party = claims["azp"] {
            guard party.string == expect.clientID else { throw IdentityError.invalidToken("the ID token's authorized party is another client") }
        } else if audiences.count > 1 {
            throw IdentityError.invalidToken("the ID token names several audiences without an authorized party")
        }
        guard let expiry = claims["exp"]?.number, expiry + expect.skewSeconds > expect.now else {
            throw IdentityError.invalidToken("the ID token has expired")
        }
        guard let issuedAt = claims["iat"]?.number, issuedAt <= expect.now + expect.skewSeconds,
              issuedAt >= expect.now - expect.maximumAgeSeconds else {
            throw IdentityError.invalidToken("the ID token's issue time is not plausible")
        }
        guard let nonce = claims["nonce"]?.string, ConstantTime.equal(Array(nonce.utf8), Array(expect.nonce.utf8)) else {
            throw IdentityError.invalidToken("the ID token's nonce does not match this login")
        }
    }

    /// The signature is all jwt-kit checks; the claims are checked above, with our own rules.
    struct SignatureOnly: JWTPayload {
        init(from decoder: any Decoder) throws {}
        func encode(to encoder: any Encoder) throws {}
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}

