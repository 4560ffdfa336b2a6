import FireflyCrypto
import FoundationEssentials

/// The app an embed token is for. A token opens only for the route naming this exact target.
public struct AppTarget: Sendable, Equatable, Codable {
    public let organizationID: Int64
    /// The organization's slug: the second half of the app's own host label.
    public let organizationSlug: String
    public let provider: String
    public let domain: String
    public let appName: String

    public init(organizationID: Int64, organizationSlug: String, provider: String, domain: String, appName: String) {
        self.organizationID = organizationID
        self.organizationSlug = organizationSlug
        self.provider = provider
        self.domain = domain
        self.appName = appName
    }
}
