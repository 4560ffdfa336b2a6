import FireflyCore
import FireflyPostgres
import FoundationEssentials
import FireflySystem

/// Reads organizations' workspace settings, cached per process for a few seconds.
final class OrganizationDirectory: Sendable {
    private let cache = PlainLock<[Int64: (OrganizationWorkspace, Double)]>([:])
    static let lifetime: Double = 10

    func workspace(_ organizationID: Int64, connection: PostgresConnection, now: Double = Date().timeIntervalSince1970) throws -> OrganizationWorkspace {
        if let (cached, at) = cache.withLock({ $0[organizationID] }), now - at < Self.lifetime { return cached }
        let result = try connection.query("""
            SELECT o.workspace_url, o.default_warehouse_id, c.client_id, c.secret_enc
            FROM organizations o JOIN spn_credentials c ON c.organization_id = o.id
            WHERE o.id = \(organizationID) AND o.workspace_url IS NOT NULL
            """)
        guard result.rows.count == 1, let url = result.value("workspace_url"), let client = result.value("client_id"),
              let secret = result.value("secret_enc") else { throw GatewayError.notConfigured() }
        let workspace = OrganizationWorkspace(id: organizationID, workspaceURL: url, defaultWarehouseID: result.value("default_warehouse_id"),
                                              clientID: client, sealedSecret: secret)
        cache.withLock { $0[organizationID] = (workspace, now) }
        return workspace
    }

    /// Forgets an organization's settings (they changed).
    func forget(_ organizationID: Int64) { cache.withLock { $0[organizationID] = nil } }
}
