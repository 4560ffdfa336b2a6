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

/// FireFly's schema history. Append new migrations at the end.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "organizations", sql: """
            CREATE TABLE organizations (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
                name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                created_at  timestamptz NOT NULL DEFAULT now()
            );
            """),
    ]

    /// The newest version this build knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }
}
