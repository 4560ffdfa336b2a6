import FireflyPostgres
import Logging

/// Applies pending migrations. Each migration runs in its own transaction; a session advisory lock
/// serialises concurrent runners (two hosts migrating at once), and each re-reads the applied set
/// after taking the lock, so running it again, or twice at once, is harmless.
public struct MigrationRunner {
    /// Advisory lock key: "FIREFLY" in ASCII, so other applications are unlikely to collide.
    public static let advisoryLockKey: Int64 = 0x4649_5245_464C_59

    private let migrations: [Migration]
    private let logger: Logger

    public init(migrations: [Migration] = Migrations.all, logger: Logger) {
        precondition(zip(migrations, migrations.dropFirst()).allSatisfy { $0.version < $1.version }, "migration versions must increase")
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is missing; returns the versions this call applied.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [Int] {
        try connection.execute(script: "SET client_min_messages = warning")
        try connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))") }
        try connection.execute(script: """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = Set(try connection.query("SELECT version FROM schema_migrations").rows.compactMap { $0[0].flatMap { Int($0) } })
        var newlyApplied: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            try apply(migration, on: connection)
            newlyApplied.append(migration.version)
        }
        return newlyApplied
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) throws {
        try connection.execute(script: "BEGIN")
        do {
            try connection.execute(script: migration.sql)
            try connection.query("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
            try connection.execute(script: "COMMIT")
            logger.info("applied migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
        } catch {
            try? connection.execute(script: "ROLLBACK")
            logger.error("migration failed", metadata: ["migration.version": "\(migration.version)", "error": "\(error)"])
            throw error
        }
    }

    /// The newest applied version, or 0 when none (or the table does not exist yet).
    public static func currentVersion(_ connection: PostgresConnection) throws -> Int {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar == "t"
        guard exists else { return 0 }
        return Int(try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations").scalar ?? "0") ?? 0
    }
}
