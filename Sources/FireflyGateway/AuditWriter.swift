import FireflyPostgres
import FireflySystem
import Logging

/// Writes a worker's audit rows by group commit (``AuditGroupCommit``): the calling thread returns
/// once its row is in PostgreSQL, committed without waiting for the WAL flush (only a PostgreSQL
/// crash in the following fraction of a second could lose it; a worker that dies loses nothing).
/// Under load one `INSERT … SELECT FROM unnest(…)` and one commit carry many threads' rows.
final class AuditWriter: Sendable {
    private let state: PlainLock<AuditGroupCommit<AuditRow>>
    private let logger: Logger

    init(maximumBatch: Int = 256, logger: Logger) {
        state = PlainLock(AuditGroupCommit(maximumBatch: maximumBatch))
        self.logger = logger
    }

    /// Returns when `row` is written, or its failure logged. `connection` is the caller's own; it
    /// writes the batch when this thread's turn comes (outside a transaction only).
    func record(_ row: AuditRow, connection: PostgresConnection) {
        // Only an idle, live connection writes other threads' rows: inside the caller's transaction
        // a batch would share its fate (a rollback would take them along), and on a connection the
        // server has closed it would fail for all of them. This row alone, then.
        if connection.isInTransaction || !connection.isAliveWhileIdle() {
            write([row], connection: connection)
            return
        }
        let ticket = state.withLock { $0.submit(row) }
        while case .write(let batch, let through) = state.withLock(waitingWhile: { $0.mustWait(ticket) }, { $0.next(for: ticket) }) {
            write(batch, connection: connection)
            state.withLock { $0.written(through: through) }
            state.wakeAll()
        }
    }

    /// One statement for the batch. If a row's data is what PostgreSQL refused (SQLSTATE classes 22
    /// and 23), each row alone, so one bad row cannot take the others with it; any other failure
    /// (connection, lock or statement timeout) would only repeat for every row, so the batch's rows
    /// are logged as lost at once. Each lost row is logged with its request.
    private func write(_ batch: [AuditRow], connection: PostgresConnection) {
        do {
            try insert(batch, connection: connection)
            return
        } catch let error as PostgresError where batch.count > 1 && Self.isDataError(error) {
            logger.warning("audit batch not written, writing its rows one by one", metadata: ["error": "\(error)", "rows": "\(batch.count)"])
        } catch {
            for row in batch { logger.error("audit row not written", metadata: ["error": "\(error)", "request.id": "\(row.requestID)"]) }
            return
        }
        for row in batch {
            do {
                try insert([row], connection: connection)
            } catch {
                logger.error("audit row not written", metadata: ["error": "\(error)", "request.id": "\(row.requestID)"])
            }
        }
    }

    /// A refusal of the data itself: data exceptions (22) and integrity constraint violations (23).
    static func isDataError(_ error: PostgresError) -> Bool {
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    private func insert(_ rows: [AuditRow], connection: PostgresConnection) throws {
        try connection.query(prepared: "firefly_audit_insert_batch", """
            WITH asynchronous AS (SELECT set_config('synchronous_commit', 'off', true))
            INSERT INTO audit_log (user_id, organization_id, method, path_template, status, duration_ms, request_id)
            SELECT rows.* FROM asynchronous, unnest(\(array: rows.map { String($0.userID) })::bigint[],
                                                    \(array: rows.map { String($0.organizationID) })::bigint[],
                                                    \(array: rows.map(\.method))::text[], \(array: rows.map(\.template))::text[],
                                                    \(array: rows.map { String($0.status) })::integer[],
                                                    \(array: rows.map { String($0.durationMilliseconds) })::double precision[],
                                                    \(array: rows.map(\.requestID))::text[]) AS rows
            """)
    }
}
