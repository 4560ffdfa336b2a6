import Dispatch
import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import JWTKit
import Synchronization

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
