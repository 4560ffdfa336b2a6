import COpenSSL

/// AES-256-GCM through OpenSSL: 12-byte random nonce, 16-byte tag, output `nonce ‖ ciphertext ‖ tag`.
/// Associated data binds a ciphertext to its purpose, so it cannot be opened in another context.
public enum AESGCM {
    public static let keyBytes = 32
    public static let nonceBytes = 12
    public static let tagBytes = 16

    /// A failure to seal or open; opening fails for a wrong key, wrong associated data or any tampering.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Encrypts `plaintext` under a 32-byte `key`.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard key.count == keyBytes else { throw Failure(description: "AES-256-GCM needs a 32-byte key") }
        let nonce = SecureRandom.bytes(nonceBytes)
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw Failure(description: "EncryptInit failed") }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw Failure(description: "associated data rejected")
            }
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var written: Int32 = 0
        let updated = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptUpdate(context, buffer.baseAddress, &written, plaintext, Int32(plaintext.count))
        }
        guard updated == 1 else { throw Failure(description: "EncryptUpdate failed") }
        var finalLength: Int32 = 0
        let finished = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress.map { $0 + Int(written) }, &finalLength)
        }
        guard finished == 1 else { throw Failure(description: "EncryptFinal failed") }
        ciphertext.removeSubrange(Int(written + finalLength)...)
        var tag = [UInt8](repeating: 0, count: tagBytes)
        let tagged = tag.withUnsafeMutableBytes { raw in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagBytes), raw.baseAddress)
        }
        guard tagged == 1 else { throw Failure(description: "GET_TAG failed") }
        return nonce + ciphertext + tag
    }

    /// Decrypts `nonce ‖ ciphertext ‖ tag`; throws when the tag does not verify.
    public static func open(_ sealed: [UInt8], key: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard key.count == keyBytes else { throw Failure(description: "AES-256-GCM needs a 32-byte key") }
        guard sealed.count >= nonceBytes + tagBytes else { throw Failure(description: "ciphertext too short") }
        let nonce = Array(sealed[0..<nonceBytes])
        let ciphertext = Array(sealed[nonceBytes..<(sealed.count - tagBytes)])
        var tag = Array(sealed[(sealed.count - tagBytes)...])
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw Failure(description: "DecryptInit failed") }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw Failure(description: "associated data rejected")
            }
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var written: Int32 = 0
        let updated = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptUpdate(context, buffer.baseAddress, &written, ciphertext, Int32(ciphertext.count))
        }
        guard updated == 1 else { throw Failure(description: "DecryptUpdate failed") }
        let tagSet = tag.withUnsafeMutableBytes { raw in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagBytes), raw.baseAddress)
        }
        guard tagSet == 1 else { throw Failure(description: "SET_TAG failed") }
        var finalLength: Int32 = 0
        let verified = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress.map { $0 + Int(written) }, &finalLength)
        }
        guard verified == 1 else { throw Failure(description: "the ciphertext does not verify (wrong key, wrong context or tampered)") }
        plaintext.removeSubrange(Int(written + finalLength)...)
        return plaintext
    }
}

