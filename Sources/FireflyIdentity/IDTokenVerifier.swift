import Dispatch
import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import JWTKit
import Synchronization

/// A provider's signing keys (its JWKS), ready for verification.
public final class SigningKeys: Sendable {
    /// Key ids present in the set.
    public let keyIDs: Set<String>
    public let count: Int
    let collection: JWTKeyCollection

    /// Parses a JWKS document; keys jwt-kit cannot use (e.g. `oct`) are skipped.
    public init(jwksJSON: [UInt8]) async throws {
        guard let object = JSONValue.object(jwksJSON), case .array(let entries)? = object["keys"] else {
            throw IdentityError.provider("the provider's JWKS is not a JSON object with keys")
        }
        let collection = JWTKeyCollection()
        var kids: Set<String> = []
        var usable = 0
        for entry in entries {
            guard case .object(let fields) = entry, let type = fields["kty"]?.string, type == "RSA" || type == "EC" else { continue }
            guard let data = try? JSONEncoder().encode(RawJSON(entry)), let jwk = try? JSONDecoder().decode(JWK.self, from: data) else { continue }
            do {
                try await collection.add(jwk: jwk, isDefault: false)
                usable += 1
                if let kid = fields["kid"]?.string { kids.insert(kid) }
            } catch {
                continue
            }
        }
        keyIDs = kids
        count = usable
        self.collection = collection
    }
}

/// What an ID token must satisfy.
public struct IDTokenExpectations: Sendable {
    public var issuer: String
    public var clientID: String
    public var nonce: String
    /// Seconds since the epoch.
    public var now: Double
    /// Allowed clock skew for `exp` and `iat`.
    public var skewSeconds: Double = 60
    /// An ID token issued longer ago than this is refused.
    public var maximumAgeSeconds: Double = 600

    public init(issuer: String, clientID: String, nonce: String, now: Double) {
        self.issuer = issuer
        self.clientID = clientID
        self.nonce = nonce
        self.now = now
    }
}

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

/// Re-encodes a parsed value (to hand one JWK to jwt-kit's decoder).
struct RawJSON: Encodable {
    let value: JSONValue
    init(_ value: JSONValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items.map(RawJSON.init))
        case .object(let fields): try container.encode(fields.mapValues(RawJSON.init))
        }
    }
}

/// Runs async work from a plain (non-async) worker thread and waits for it.
enum Blocking {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { throw IdentityError.provider("internal: no result") }
        return try result.get()
    }
}

/// Why a login or session check failed. Messages are safe to show (no secrets, no internals).
public enum IdentityError: Error, CustomStringConvertible, Sendable {
    /// The provider answered something unusable, or could not be reached.
    case provider(String)
    /// An ID token failed a check.
    case invalidToken(String)

    public var description: String {
        switch self {
        case .provider(let message): return message
        case .invalidToken(let message): return message
        }
    }
}
