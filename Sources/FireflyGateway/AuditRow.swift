/// One Databricks call for the audit log: who, what, the answer's status, how long it took.
struct AuditRow: Sendable {
    let userID: Int64
    let organizationID: Int64
    let method: String
    let template: String
    let status: Int
    let durationMilliseconds: Double
    let requestID: String
}
