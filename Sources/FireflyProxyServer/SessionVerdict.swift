/// What PostgreSQL said about the FireFly session an app token is bound to.
public enum SessionVerdict: Sendable, Equatable {
    /// The session lives until `expiresAt` (seconds since the epoch).
    case alive(expiresAt: Double)
    /// Signed out, revoked, expired or idle too long.
    case gone
    /// The embed URL was used before.
    case replayed
}
