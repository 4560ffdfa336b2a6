import FireflyCrypto
import FoundationEssentials

/// What an opened token grants: the bearer token to inject, for which target, until when.
public struct AppProxyGrant: Sendable, Equatable {
    /// nil for a seed-format token (no target bound; allowlists decide).
    public let target: AppTarget?
    /// Seconds since the epoch; nil for a seed-format token.
    public let expiresAt: Double?
    /// Until when the token may be presented in a URL (seconds since the epoch): the first use of
    /// an embed URL, after which the proxy moves it into a cookie. nil for seed-format tokens.
    public let urlUsableUntil: Double?
    /// The FireFly session the token lives with; nil for seed-format tokens.
    public let session: SessionBinding?
    /// The embed URL's one-time value: its first use is recorded, a second one refused.
    public let nonce: [UInt8]?
    public let bearerToken: String
}
