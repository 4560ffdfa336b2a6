import FireflyCrypto
import FoundationEssentials

/// Why a token was refused: 401 for anything wrong with the token itself, 403 when a valid token
/// is used for another app than it was minted for.
public enum EnvelopeRefusal: Error, Sendable, Equatable {
    /// Malformed, truncated, tampered, wrong key, oversize, or expired.
    case unauthorized(String)
    /// A valid token for a different target.
    case forbidden(String)
}
