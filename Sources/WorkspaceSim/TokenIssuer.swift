import FireflyCrypto
import FoundationEssentials
import Synchronization

/// OAuth machine-to-machine tokens: client credentials in, opaque JWT-shaped bearer tokens out.
/// Tokens expire after the configured lifetime and can be revoked (by token or by client id).
final class TokenIssuer: Sendable {
    struct Grant: Sendable {
        let clientID: String
        let expiresAt: Double
    }

    private let principals: [String: SimConfiguration.ServicePrincipal]
    private let lifetime: Int
    private let tokens = Mutex<[String: Grant]>([:])

    init(principals: [SimConfiguration.ServicePrincipal], lifetime: Int) {
        self.principals = Dictionary(principals.map { ($0.client_id, $0) }) { first, _ in first }
        self.lifetime = lifetime
    }

    /// The principal for a client id, when its secret matches (compared in constant time).
    func authenticate(clientID: String, secret: String) -> SimConfiguration.ServicePrincipal? {
        guard let principal = principals[clientID] else { return nil }
        let expected = Array(principal.client_secret.utf8), given = Array(secret.utf8)
        guard expected.count == given.count else { return nil }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0 ? principal : nil
    }

    /// A new token for `clientID` and its lifetime in seconds.
    func issue(clientID: String, now: Double = Date().timeIntervalSince1970) -> (token: String, expiresIn: Int) {
        let header = Base64URL.encode(Array(#"{"alg":"RS256","typ":"JWT","kid":"sim"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"sub":"\#(clientID)","iss":"firefly-workspace-sim","scope":"all-apis","exp":\#(Int(now) + lifetime)}"#.utf8))
        let signature = Base64URL.encode(SecureRandom.bytes(32))
        let token = "\(header).\(payload).\(signature)"
        tokens.withLock { $0[token] = Grant(clientID: clientID, expiresAt: now + Double(lifetime)) }
        return (token, lifetime)
    }

    /// The principal a bearer token belongs to, when the token is known, unexpired and not revoked.
    func principal(forToken token: String, now: Double = Date().timeIntervalSince1970) -> SimConfiguration.ServicePrincipal? {
        let grant = tokens.withLock { tokens -> Grant? in
            guard let grant = tokens[token] else { return nil }
            if grant.expiresAt <= now {
                tokens[token] = nil
                return nil
            }
            return grant
        }
        return grant.flatMap { principals[$0.clientID] }
    }

    /// Revokes one token; returns how many were revoked.
    func revoke(token: String) -> Int { tokens.withLock { $0.removeValue(forKey: token) == nil ? 0 : 1 } }

    /// Revokes every token of a client.
    func revokeAll(clientID: String) -> Int {
        tokens.withLock { tokens in
            let victims = tokens.filter { $0.value.clientID == clientID }.map(\.key)
            victims.forEach { tokens[$0] = nil }
            return victims.count
        }
    }
}

