import FireflyPostgres

/// One row of `security_events`: a sign-in (accepted or refused) or an operator's action. Nothing
/// secret goes in: actors are email addresses or operator accounts, details name objects and
/// refusal codes, never tokens or secrets.
public struct SecurityEvent: Sendable {
    /// Who: a user's email (or issuer subject), or the operator account running firefly-admin.
    public var actor: String
    /// What: `login`, `logout`, `admin.org.create`, `admin.sweep`, …
    public var action: String
    /// `ok`, `refused` or `failed`.
    public var outcome: String
    public var organizationID: Int64?
    public var userID: Int64?
    public var detail: String
    public var remoteAddress: String?

    public init(actor: String, action: String, outcome: String = "ok", organizationID: Int64? = nil, userID: Int64? = nil,
                detail: String = "", remoteAddress: String? = nil) {
        self.actor = actor
        self.action = action
        self.outcome = outcome
        self.organizationID = organizationID
        self.userID = userID
        self.detail = detail
        self.remoteAddress = remoteAddress
    }

    /// Writes the row.
    public func record(_ connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO security_events (actor, action, outcome, organization_id, user_id, detail, remote_address)
            VALUES (\(String(actor.prefix(320))), \(action), \(outcome), \(organizationID), \(userID), \(String(detail.prefix(1000))), \(remoteAddress))
            """)
    }
}
