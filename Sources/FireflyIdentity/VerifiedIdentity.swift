/// The user a verified ID token (plus userinfo) describes.
public struct VerifiedIdentity: Sendable {
    public let issuer: String
    public let subject: String
    public let email: String?
    public let emailVerified: Bool
    public let name: String?
    public let groups: [String]
}
