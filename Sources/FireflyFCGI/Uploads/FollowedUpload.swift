import FireflyPostgres
import FireflySystem

/// The bytes of an upload that is still receiving, for a following transfer: reads of the staged
/// copy stop at the offset PostgreSQL has confirmed (bytes past it may still be truncated by a
/// failed chunk) and wait there, polling the row, for the next chunk. It gives up (throws) when the
/// client sends nothing for the idle time, when the upload is cancelled or expires, or when another
/// claim takes it over.
final class FollowedUpload {
    /// Why a following transfer stopped.
    struct Stopped: Error, CustomStringConvertible {
        let description: String
    }

    private let job: UploadForwarder.Job
    private let claim: Int
    private let reader: StagingFile
    private let idleNanoseconds: UInt64
    private let connection: PostgresConnection
    private var confirmed: Int64 = 0
    private var lastProgress = MonotonicClock.nanoseconds()

    init(job: UploadForwarder.Job, claim: Int, path: String, idleNanoseconds: UInt64, connection: PostgresConnection) throws {
        self.job = job
        self.claim = claim
        self.reader = try StagingFile(path: path, mode: .read)
        self.idleNanoseconds = idleNanoseconds
        self.connection = connection
    }

    /// Up to 1 MiB at `offset`, once confirmed; empty at the end of the upload.
    func read(at offset: Int64) throws -> [UInt8] {
        while offset >= confirmed {
            guard offset < job.size else { return [] }
            guard MonotonicClock.nanoseconds() - lastProgress < idleNanoseconds else {
                throw Stopped(description: "the client sent nothing for \(idleNanoseconds / 1_000_000_000) s")
            }
            MonotonicClock.sleep(milliseconds: 20)
            try refresh()
        }
        let piece = try reader.read(at: offset, count: Int(min(1 << 20, confirmed - offset)))
        guard !piece.isEmpty else { throw Stopped(description: "the staged copy is shorter than its confirmed offset") }
        return piece
    }

    /// The confirmed offset, and whether the upload is still ours to forward.
    private func refresh() throws {
        let row = try connection.query("SELECT received_bytes, state, attempts FROM uploads WHERE id = \(job.id)::uuid")
        guard let received = row.value("received_bytes").flatMap(Int64.init), let state = row.value("state"),
              row.value("attempts").flatMap(Int.init) == claim, state == "receiving" || state == "forwarding" else {
            throw Stopped(description: "the upload was cancelled, expired or taken over")
        }
        if received > confirmed {
            confirmed = received
            lastProgress = MonotonicClock.nanoseconds()
        }
    }
}
