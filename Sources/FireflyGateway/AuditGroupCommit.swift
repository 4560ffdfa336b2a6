/// Group commit of audit rows, as a value: each request's row gets a ticket; one thread at a time
/// writes everything pending in one statement while the others wait, and the next waiter whose row
/// is still pending writes the next batch. A row is in PostgreSQL before its request goes on (a
/// worker that dies loses nothing), and under load many rows share one statement and one commit.
/// No I/O here: ``AuditWriter`` runs it under a lock.
struct AuditGroupCommit<Row: Sendable>: Sendable {
    /// What the thread holding `ticket` does next.
    enum Step {
        /// Its row is written (or its failure reported): go on.
        case done
        /// Write these rows, then report ``written(through:)`` with `through`.
        case write([Row], through: UInt64)
    }

    let maximumBatch: Int
    private var pending: [Row] = []
    /// The ticket of `pending[0]`; tickets below it have been taken into a batch.
    private var firstPendingTicket: UInt64 = 0
    /// Tickets below this are written (or failed and reported).
    private var writtenBelow: UInt64 = 0
    private var writing = false

    init(maximumBatch: Int) {
        precondition(maximumBatch > 0)
        self.maximumBatch = maximumBatch
    }

    /// Queues a row; its ticket.
    mutating func submit(_ row: Row) -> UInt64 {
        pending.append(row)
        return firstPendingTicket + UInt64(pending.count - 1)
    }

    /// True while another thread writes and `ticket`'s row is not yet written.
    func mustWait(_ ticket: UInt64) -> Bool {
        ticket >= writtenBelow && writing
    }

    /// Called when ``mustWait(_:)`` is false: done, or the next batch to write (the oldest
    /// pending rows, at most `maximumBatch`, which may end before `ticket`'s own row).
    mutating func next(for ticket: UInt64) -> Step {
        if ticket < writtenBelow { return .done }
        let count = min(pending.count, maximumBatch)
        let batch = Array(pending.prefix(count))
        pending.removeFirst(count)
        firstPendingTicket += UInt64(count)
        writing = true
        return .write(batch, through: firstPendingTicket)
    }

    /// The batch that ended before ticket `through` is written (or its failure reported).
    mutating func written(through: UInt64) {
        writtenBelow = through
        writing = false
    }

    /// Rows waiting for a writer (for tests).
    var pendingCount: Int { pending.count }
}
