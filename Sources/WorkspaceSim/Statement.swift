import Dispatch
import FireflyJSON
import FireflySQLite
import FireflySystem
import FoundationEssentials
import Synchronization

/// One statement's life: PENDING → RUNNING → SUCCEEDED / FAILED / CANCELED, then CLOSED.
final class Statement: Sendable {
    enum State: String, Sendable { case PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, CLOSED }

    struct Column: Sendable, Encodable {
        let name: String
        let type_text: String
        let type_name: String
        let position: Int
        let type_precision: Int?
        let type_scale: Int?
    }

    struct Chunk: Sendable {
        let index: Int
        let rowOffset: Int
        let rows: [[String?]]
        let byteCount: Int
    }

    struct Result: Sendable {
        let columns: [Column]
        let chunks: [Chunk]
        let totalRows: Int
        let totalBytes: Int
        let truncated: Bool
    }

    struct Failure: Sendable {
        let errorCode: String
        let message: String
        let sqlState: String?
    }

    struct Snapshot: Sendable {
        let state: State
        let result: Result?
        let failure: Failure?
    }

    private struct Status {
        var state: State = .PENDING
        var result: Result?
        var failure: Failure?
        var connection: SQLiteConnection?
        var finishedAt: Double?
        var cancelRequested = false
    }

    let id: String
    let owner: String
    private let status = Mutex(Status())

    init(id: String, owner: String) {
        self.id = id
        self.owner = owner
    }

    /// The current state; a result older than `resultLifetime` seconds is CLOSED.
    func snapshot(now: Double = Date().timeIntervalSince1970, resultLifetime: Double = 3600) -> Snapshot {
        status.withLock { status in
            if status.state == .SUCCEEDED, let finished = status.finishedAt, now - finished > resultLifetime {
                status.state = .CLOSED
                status.result = nil
            }
            return Snapshot(state: status.state, result: status.result, failure: status.failure)
        }
    }

    var isTerminal: Bool { ![.PENDING, .RUNNING].contains(snapshot().state) }

    /// When the statement reached a terminal state (seconds since the epoch), if it has.
    var finishedAt: Double? { status.withLock { $0.finishedAt } }

    /// Moves to RUNNING with the connection a cancel will interrupt; false when already cancelled.
    func start(_ connection: SQLiteConnection) -> Bool {
        status.withLock { status in
            guard status.state == .PENDING, !status.cancelRequested else { return false }
            status.state = .RUNNING
            status.connection = connection
            return true
        }
    }

    func finish(_ state: State, result: Result? = nil, failure: Failure? = nil) {
        status.withLock { status in
            guard status.state == .PENDING || status.state == .RUNNING else { return }
            status.state = status.cancelRequested && state != .SUCCEEDED ? .CANCELED : state
            status.result = status.state == .SUCCEEDED ? result : nil
            status.failure = status.state == .FAILED ? failure : nil
            status.connection = nil
            status.finishedAt = Date().timeIntervalSince1970
        }
    }

    /// Requests cancellation: a PENDING statement is CANCELED at once, a RUNNING one is interrupted.
    func cancel() {
        let connection: SQLiteConnection? = status.withLock { status in
            switch status.state {
            case .PENDING:
                status.cancelRequested = true
                status.state = .CANCELED
                status.finishedAt = Date().timeIntervalSince1970
                return nil
            case .RUNNING:
                status.cancelRequested = true
                return status.connection
            default:
                return nil
            }
        }
        connection?.cancel()
    }
}
