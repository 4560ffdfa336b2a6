/// Secrets at rest: AES-256-GCM under the vault key, with the key's id stored beside each
/// ciphertext (`v2:<key id>:<hex>`) and the secret's purpose bound as associated data, so a
/// ciphertext opens only with the right key and only for what it was sealed for.
public struct Vault: Sendable {
    public let key: [UInt8]
    /// First 8 hex digits of SHA-256(key): names the key without revealing it.
    public let keyID: String

    public init(key: [UInt8]) throws {
        guard key.count == AESGCM.keyBytes else { throw AESGCM.Failure(description: "the vault key must be 32 bytes") }
        self.key = key
        keyID = String(Hex.encode(SHA256.hash(key)).prefix(8))
    }

    private static func associatedData(_ purpose: String) -> [UInt8] { Array("firefly-vault/\(purpose)/v2".utf8) }

    public func seal(_ plaintext: String, purpose: String) throws -> String {
        "v2:\(keyID):" + Hex.encode(try AESGCM.seal(Array(plaintext.utf8), key: key, associatedData: Self.associatedData(purpose)))
    }

    public func open(_ sealed: String, purpose: String) throws -> String {
        let parts = sealed.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, parts[0] == "v2", let bytes = Hex.decode(String(parts[2])) else {
            throw AESGCM.Failure(description: "not a vault ciphertext")
        }
        guard parts[1] == keyID else { throw AESGCM.Failure(description: "sealed with another vault key (\(parts[1]))") }
        return String(decoding: try AESGCM.open(bytes, key: key, associatedData: Self.associatedData(purpose)), as: UTF8.self)
    }
}
