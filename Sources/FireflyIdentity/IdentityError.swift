import Dispatch
import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import JWTKit
import Synchronization

/// Why a login or session check failed. Messages are safe to show (no secrets, no internals).
public enum IdentityError: Error, CustomStringConvertible, Sendable {
    /// The provider answered something unusable, or could not be reached.
    case provider(String)
    /// An ID token failed a check.
    case invalidToken(String)

    public var description: String {
        switch self {
        case .provider(let message): return message
        case .invalidToken(let message): return message
        }
    }
}
