import FireflySettings
import Configuration
import FoundationEssentials
import Logging
import SystemPackage

public struct GatewaySettings: Sendable, Equatable {
    public var timeoutMilliseconds: Int
    public var retryBudgetMilliseconds: Int
    public var caFile: String?
    public var sqlWaitSeconds: Int
    public var cacheTTLMilliseconds: Int
    public var smallUploadLimitBytes: Int
    public var uploadDirectory: String
    public var uploadMaxBytes: Int
    public var uploadUserQuotaBytes: Int
    public var uploadExpirySeconds: Int
    /// How long a transfer that follows an upload still receiving waits for the next bytes (0: no
    /// forwarding before the last chunk).
    public var uploadFollowIdleMilliseconds: Int
    /// DBFS folders uploads may write to, each `dbfs:/…/` with `{org}` for the organization's slug.
    public var dbfsAllowedPrefixes: [String]
}
