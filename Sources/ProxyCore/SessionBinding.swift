/// The FireFly session an app token was minted in: the SHA-256 of its cookie, as PostgreSQL keeps
/// it. The proxy lets a token work only while that session lives, so signing out of FireFly (or
/// `firefly-admin sessions revoke`) ends app access too.
public struct SessionBinding: Sendable, Hashable {
    public let sessionHash: [UInt8]

    public init(sessionHash: [UInt8]) {
        self.sessionHash = sessionHash
    }
}
