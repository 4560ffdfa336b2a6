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
