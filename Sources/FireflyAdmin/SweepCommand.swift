import ArgumentParser
import FireflyCore
import FireflyPostgres

extension FireflyAdminCommand {
    /// `firefly-admin sweep`: retention. Deletes audit rows older than FIREFLY_AUDIT_RETENTION, ended
    /// sessions (expired or idle past FIREFLY_SESSION_IDLE_TIMEOUT) and stale login attempts, in
    /// small batches so the pool's writes never wait long. Run daily by `firefly-sweep.timer`.
    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete audit rows past FIREFLY_AUDIT_RETENTION, ended sessions and stale login attempts (daily: firefly-sweep.timer).")
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let configuration = try await options.load()
            let (connection, _) = try await options.connect()
            let retentionSeconds = configuration.auditRetentionMilliseconds / 1000
            let idleSeconds = configuration.identity.sessionIdleTimeoutSeconds
            var counts: [(String, Int)] = []
            if retentionSeconds > 0 {
                for table in ["audit_log", "security_events"] {
                    counts.append((table, try deleteInBatches(connection, """
                        DELETE FROM \(table) WHERE id IN (
                            SELECT id FROM \(table) WHERE at < now() - make_interval(secs => \(retentionSeconds)) LIMIT 5000)
                        """)))
                }
            }
            counts.append(("sessions", try deleteInBatches(connection, """
                DELETE FROM sessions WHERE id_hash IN (
                    SELECT id_hash FROM sessions
                    WHERE expires_at < now() OR last_seen_at < now() - make_interval(secs => \(idleSeconds)) LIMIT 5000)
                """)))
            counts.append(("login_transactions", try deleteInBatches(connection, """
                DELETE FROM login_transactions WHERE state_hash IN (
                    SELECT state_hash FROM login_transactions WHERE expires_at < now() - interval '1 hour' LIMIT 5000)
                """)))
            let summary = counts.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            try options.record(connection, action: "sweep", detail: summary + (retentionSeconds > 0 ? "" : " (audit rows kept: retention 0)"))
            print("deleted: \(summary)")
        }

        /// Runs `statement` (a bounded DELETE) until it deletes nothing; the rows deleted.
        private func deleteInBatches(_ connection: PostgresConnection, _ statement: String) throws -> Int {
            var total = 0
            while true {
                let deleted = try connection.query(SQLQuery(stringLiteral: statement)).affectedRows
                total += deleted
                if deleted == 0 { return total }
            }
        }
    }
}
