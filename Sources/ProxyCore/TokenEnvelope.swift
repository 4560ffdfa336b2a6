import FireflyCrypto
import FoundationEssentials

/// The app-proxy token envelope, compatible with the seed's format: AES-256-GCM, a 12-byte random
/// nonce, a 16-byte tag, `nonce ‖ ciphertext ‖ tag` in URL-safe base64 (emitted unpadded, padded
/// accepted), key = `ENCRYPTION_KEY` (64 hex characters). FireFly's tokens seal a JSON payload that
/// binds the target and an expiry, with associated data naming the purpose and version, so no other
/// FireFly ciphertext (a vault secret, say) can be opened here and a token works for one app only.
public struct TokenEnvelope: Sendable {
    /// Associated data of bound tokens (v2: bound to a session and an app origin; v1 tokens, which
    /// were neither, no longer open).
    public static let associatedData = Array("firefly/app-proxy-token/v2".utf8)
    /// Largest token accepted (encoded characters).
    public static let maximumLength = 8192

    /// The key ring: the first key seals, every key opens (so embeds minted before a rotation keep
    /// working until they expire).
    private let keys: [[UInt8]]
    private var key: [UInt8] { keys[0] }

    /// `keyHex`: a key ring, one key of 64 hexadecimal characters (32 bytes) per line, the sealing
    /// key first; blank lines and `#` comments are skipped.
    public init(keyHex: String) throws {
        let lines = keyHex.split(whereSeparator: \.isNewline).map { $0.filter { !$0.isWhitespace } }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let keys = lines.map { $0.count == 64 ? Hex.decode(String($0)) : nil }
        guard !keys.isEmpty, keys.count <= Self.maximumKeys else { throw EnvelopeKeyError() }
        self.keys = try keys.map { key in
            guard let key else { throw EnvelopeKeyError() }
            return key
        }
    }

    /// Keys a ring may hold (each is tried when a token is opened).
    public static let maximumKeys = 4

    /// How many keys the ring holds.
    public var keyCount: Int { keys.count }

    /// The key in the configuration is not a key ring of 64-hexadecimal-character keys.
    public struct EnvelopeKeyError: Error, CustomStringConvertible {
        public var description: String { "ENCRYPTION_KEY must be 64 hexadecimal characters (32 bytes), one key per line, at most \(TokenEnvelope.maximumKeys)" }
    }

    private struct Payload: Codable {
        let v: Int
        let org: Int64
        let slug: String
        let provider: String
        let domain: String
        let app: String
        let exp: Double
        let uexp: Double
        /// The session's SHA-256, hex.
        let sid: String
        /// The URL's one-time value, hex.
        let nonce: String
        let tok: String
    }

    /// Length of an embed URL's one-time value.
    public static let nonceBytes = 16

    /// Seals a bound token valid until `expiresAt` (at most the bearer token's own expiry) while
    /// `session` lives, whose URL form may be used once, until `urlUsableUntil`.
    public func seal(bearerToken: String, target: AppTarget, session: SessionBinding, nonce: [UInt8], expiresAt: Double,
                     urlUsableUntil: Double) throws -> String {
        let payload = Payload(v: 2, org: target.organizationID, slug: target.organizationSlug, provider: target.provider, domain: target.domain,
                              app: target.appName, exp: expiresAt, uexp: min(urlUsableUntil, expiresAt), sid: Hex.encode(session.sessionHash),
                              nonce: Hex.encode(nonce), tok: bearerToken)
        let json = Array(try JSONEncoder().encode(payload))
        return Self.encode(try AESGCM.seal(json, key: key, associatedData: Self.associatedData))
    }

    /// Opens the token of `route`. Bound tokens must name the route's provider, domain and app and
    /// be unexpired; seed-format tokens pass only under `legacy`.
    public func open(_ route: AppProxyRoute, now: Double, legacy: LegacyTokenPolicy = LegacyTokenPolicy()) throws(EnvelopeRefusal) -> AppProxyGrant {
        guard route.token.utf8.count <= Self.maximumLength, let sealed = Self.decode(route.token),
              sealed.count >= AESGCM.nonceBytes + AESGCM.tagBytes + 1 else {
            throw .unauthorized("the app token is malformed")
        }
        if let plain = keys.lazy.compactMap({ try? AESGCM.open(sealed, key: $0, associatedData: Self.associatedData) }).first {
            guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(plain)), payload.v == 2, !payload.tok.isEmpty,
                  let session = Hex.decode(payload.sid), session.count == 32, let nonce = Hex.decode(payload.nonce), nonce.count == Self.nonceBytes else {
                throw .unauthorized("the app token is malformed")
            }
            guard payload.exp > now else { throw .unauthorized("the app token has expired; open the app again from FireFly") }
            guard payload.provider == route.provider, payload.domain == route.domain, payload.app == route.appName else {
                throw .forbidden("this app token was issued for another app")
            }
            let target = AppTarget(organizationID: payload.org, organizationSlug: payload.slug, provider: payload.provider, domain: payload.domain,
                                   appName: payload.app)
            return AppProxyGrant(target: target, expiresAt: payload.exp, urlUsableUntil: payload.uexp, session: SessionBinding(sessionHash: session),
                                 nonce: nonce, bearerToken: payload.tok)
        }
        // The seed's format: the OAuth token alone, no associated data.
        guard let plain = keys.lazy.compactMap({ try? AESGCM.open(sealed, key: $0) }).first,
              let token = String(validating: plain, as: UTF8.self), !token.isEmpty else {
            throw .unauthorized("the app token cannot be opened (tampered, truncated or from another key)")
        }
        guard legacy.allows(route) else { throw .forbidden("plain app tokens are not accepted for this app") }
        return AppProxyGrant(target: nil, expiresAt: nil, urlUsableUntil: nil, session: nil, nonce: nil, bearerToken: token)
    }

    /// URL-safe base64 without padding (the form tokens are emitted in).
    public static func encode(_ bytes: [UInt8]) -> String { Base64URL.encode(bytes) }

    /// URL-safe base64, padded or not; nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? { Base64URL.decode(text) }
}
