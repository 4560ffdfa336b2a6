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
        // Inside the caller's transaction a batch would share that transaction's fate (a rollback
        // would take other threads' rows with it): this row alone, then.
        if connection.isInTransaction {
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

    /// One statement for the batch; if it fails, each row alone, so one bad row cannot take the
    /// others with it, and each lost row is logged with its request.
    private func write(_ batch: [AuditRow], connection: PostgresConnection) {
        do {
            try insert(batch, connection: connection)
            return
        } catch where batch.count > 1 {
            logger.warning("audit batch not written, writing its rows one by one", metadata: ["error": "\(error)", "rows": "\(batch.count)"])
        } catch {
            logger.error("audit row not written", metadata: ["error": "\(error)", "request.id": "\(batch[0].requestID)"])
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
