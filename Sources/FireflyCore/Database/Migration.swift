/// One versioned schema change. Versions only grow; a released migration is never edited.
public struct Migration: Sendable {
    /// Strictly increasing version.
    public let version: Int
    /// Short name, recorded beside the version.
    public let name: String
    /// The SQL, run inside one transaction.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

