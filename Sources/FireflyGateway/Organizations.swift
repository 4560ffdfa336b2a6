import FireflyCore
import FireflyPostgres
import FoundationEssentials
import FireflySystem

/// An organization's Databricks settings.
public struct OrganizationWorkspace: Sendable {
    public let id: Int64
    public let workspaceURL: String
    public let defaultWarehouseID: String?
    public let clientID: String
    public let sealedSecret: String
}

