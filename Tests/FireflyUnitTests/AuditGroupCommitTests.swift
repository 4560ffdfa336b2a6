@testable import FireflyGateway
import FireflyPostgres
import Testing

@Suite("Audit group commit: one writer at a time, waiters' rows in the next batch, each row written before its thread goes on")
struct AuditGroupCommitTests {
    @Test("alone: a thread writes its own row at once, then is done")
    func alone() {
        var commit = AuditGroupCommit<String>(maximumBatch: 8)
        let ticket = commit.submit("a")
        #expect(!commit.mustWait(ticket))
        guard case .write(let batch, let through) = commit.next(for: ticket) else { Issue.record("no write"); return }
        #expect(batch == ["a"])
        commit.written(through: through)
        guard case .done = commit.next(for: ticket) else { Issue.record("not done"); return }
        #expect(commit.pendingCount == 0)
    }

    @Test("rows arriving while one is written wait, and the first of them writes them all in one batch")
    func grouped() {
        var commit = AuditGroupCommit<String>(maximumBatch: 8)
        let first = commit.submit("a")
        guard case .write(let firstBatch, let firstThrough) = commit.next(for: first) else { Issue.record("no write"); return }
        #expect(firstBatch == ["a"])
        let second = commit.submit("b"), third = commit.submit("c")
        #expect(commit.mustWait(second) && commit.mustWait(third))
        commit.written(through: firstThrough)
        guard case .done = commit.next(for: first) else { Issue.record("first not done"); return }
        #expect(!commit.mustWait(third))
        // Whichever waiter wakes first writes everything pending; the other then finds its row written.
        guard case .write(let batch, let through) = commit.next(for: third) else { Issue.record("no second write"); return }
        #expect(batch == ["b", "c"])
        #expect(commit.mustWait(second))
        commit.written(through: through)
        guard case .done = commit.next(for: second), case .done = commit.next(for: third) else { Issue.record("not done"); return }
    }

    @Test("a batch holds at most maximumBatch rows, oldest first; a thread whose row is left over writes again")
    func bounded() {
        var commit = AuditGroupCommit<Int>(maximumBatch: 2)
        let tickets = (0..<5).map { commit.submit($0) }
        let last = tickets[4]
        var written: [[Int]] = []
        while case .write(let batch, let through) = commit.next(for: last) {
            written.append(batch)
            commit.written(through: through)
        }
        #expect(written == [[0, 1], [2, 3], [4]])
        for ticket in tickets { guard case .done = commit.next(for: ticket) else { Issue.record("\(ticket) not done"); return } }
    }

    @Test("a failed batch still ends: its threads go on (the writer logs what was lost)")
    func failedBatchEnds() {
        var commit = AuditGroupCommit<String>(maximumBatch: 8)
        let a = commit.submit("a"), b = commit.submit("b")
        guard case .write(_, let through) = commit.next(for: a) else { Issue.record("no write"); return }
        #expect(commit.mustWait(b))
        commit.written(through: through)  // reported the same way whether the rows went in or were logged as lost
        #expect(!commit.mustWait(b))
        guard case .done = commit.next(for: b) else { Issue.record("b waits forever"); return }
    }

    @Test("a batch is retried row by row only when PostgreSQL refused a row's data, not on timeouts, locks or a lost connection")
    func retriedOnlyForDataErrors() {
        func error(_ state: String?, _ kind: PostgresError.Kind = .statement) -> PostgresError { PostgresError(kind: kind, sqlState: state, message: "x") }
        #expect(AuditWriter.isDataError(error("22P02")))  // invalid text representation
        #expect(AuditWriter.isDataError(error("22021")))  // a byte sequence not valid in the encoding
        #expect(AuditWriter.isDataError(error("23502")))  // not-null violation
        #expect(!AuditWriter.isDataError(error("57014")))  // statement timeout
        #expect(!AuditWriter.isDataError(error("55P03")))  // lock not available
        #expect(!AuditWriter.isDataError(error("57P01")))  // administrator shutdown
        #expect(!AuditWriter.isDataError(error(nil, .connection)))
    }
}
