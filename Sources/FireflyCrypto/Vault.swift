/// Secrets at rest: AES-256-GCM under a key ring. Each ciphertext carries the id of the key that
/// sealed it (`v2:<key id>:<hex>`) and is bound to its purpose as associated data, so it opens only
/// with that key and only for what it was sealed for. The first key seals; older keys still open
/// until `firefly-admin vault reencrypt` has moved everything to the first and they are removed.
public struct Vault: Sendable {
    public struct Key: Sendable {
        public let bytes: [UInt8]
        /// First 8 hex digits of SHA-256(key): names the key without revealing it.
        public let id: String

        public init(_ bytes: [UInt8]) throws {
            guard bytes.count == AESGCM.keyBytes else { throw AESGCM.Failure(description: "a vault key must be 32 bytes") }
            self.bytes = bytes
            id = String(Hex.encode(SHA256.hash(bytes)).prefix(8))
        }
    }

    /// The ring: the first key seals, every key opens.
    public let keys: [Key]
    public var keyID: String { keys[0].id }

    public init(keys: [[UInt8]]) throws {
        guard !keys.isEmpty else { throw AESGCM.Failure(description: "the vault needs at least one key") }
        self.keys = try keys.map(Key.init)
    }

    public init(key: [UInt8]) throws { try self.init(keys: [key]) }

    private static func associatedData(_ purpose: String) -> [UInt8] { Array("firefly-vault/\(purpose)/v2".utf8) }

    public func seal(_ plaintext: String, purpose: String) throws -> String {
        "v2:\(keys[0].id):" + Hex.encode(try AESGCM.seal(Array(plaintext.utf8), key: keys[0].bytes, associatedData: Self.associatedData(purpose)))
    }

    /// The id of the key a ciphertext was sealed with.
    public static func keyID(of sealed: String) -> String? {
        let parts = sealed.split(separator: ":", maxSplits: 2)
        return parts.count == 3 && parts[0] == "v2" ? String(parts[1]) : nil
    }

    public func open(_ sealed: String, purpose: String) throws -> String {
        let parts = sealed.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, parts[0] == "v2", let bytes = Hex.decode(String(parts[2])) else {
            throw AESGCM.Failure(description: "not a vault ciphertext")
        }
        guard let key = keys.first(where: { $0.id == parts[1] }) else {
            throw AESGCM.Failure(description: "sealed with vault key \(parts[1]), which is not in the key ring")
        }
        return String(decoding: try AESGCM.open(bytes, key: key.bytes, associatedData: Self.associatedData(purpose)), as: UTF8.self)
    }
}
