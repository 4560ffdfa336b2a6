import FireflySettings
import Configuration
import FoundationEssentials
import Logging
import SystemPackage

/// Calls to Databricks.
/// How many API requests one user and one organization may have in flight in one worker process.
public struct FairUseLimits: Sendable, Equatable {
    public var userRequests: Int
    public var organizationRequests: Int
}
