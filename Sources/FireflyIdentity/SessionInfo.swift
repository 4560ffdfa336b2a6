import CoreMetrics
import FireflyMetrics
import FireflyCrypto
import FireflyPostgres
import FoundationEssentials
import Logging
import FireflyCore

/// What a valid session grants: the user, their organization, and the CSRF token.
public struct SessionInfo: Sendable {
    public let idHash: [UInt8]
    public let userID: Int64
    public let email: String?
    public let name: String?
    public let organizationID: Int64
    public let organizationSlug: String
    public let organizationName: String
    public let provider: String
    public let csrfToken: String
    /// Seconds since the epoch.
    public let createdAt: Int64
    public let lastSeenAt: Int64
    public let expiresAt: Int64
    public let nextRefreshAt: Int64?
}
