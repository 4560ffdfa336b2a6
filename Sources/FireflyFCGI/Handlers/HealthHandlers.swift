import FireflyCore
import FireflyPostgres
import Logging

/// `/healthz` (the process answers) and `/readyz` (PostgreSQL reachable, schema current).
enum HealthHandlers {
    private static let aliveBody = Array(#"{"status":"ok"}"#.utf8)

    static let healthz: Handler = { _ in
        Response.rawJSON(aliveBody, headers: [("Cache-Control", "no-store")])
    }

    static let readyz: Handler = { context in
        let version: Int
        do {
            version = try schemaVersion(context)
        } catch {
            context.logger.warning("not ready: database unreachable", metadata: ["error": "\(error)"])
            throw APIError(status: 503, code: "not_ready", message: "The database is unreachable.")
        }
        guard version >= Migrations.latestVersion else {
            throw APIError(status: 503, code: "not_ready",
                           message: "Database migrations are pending (schema version \(version), this build needs \(Migrations.latestVersion)); run firefly-admin migrate.")
        }
        return try Response.json(ReadyBody(status: "ready", schema_version: version), headers: [("Cache-Control", "no-store")])
    }

    /// Reads the schema version; a connection lost since the last request (server restart) is
    /// replaced once right away, so the first probe after a restart already sees the new server.
    private static func schemaVersion(_ context: RequestContext) throws -> Int {
        do {
            return try context.database.withConnection { try MigrationRunner.currentVersion($0) }
        } catch let error as PostgresError where error.kind == .connection {
            return try context.database.withConnection { try MigrationRunner.currentVersion($0) }
        }
    }

    private struct ReadyBody: Encodable {
        let status: String
        let schema_version: Int
    }
}
