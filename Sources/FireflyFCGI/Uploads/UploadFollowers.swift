import FireflySystem
import Logging
import Synchronization

/// Starts a following transfer (``UploadForwarder/follow(_:idleMilliseconds:)``) for each large
/// upload to a volume as it is created, on a thread of its own, at most `limit` at once per worker
/// process; past that, or when following is off, uploads are forwarded after their last chunk.
final class UploadFollowers: Sendable {
    /// Smaller uploads finish receiving quickly: forwarding them afterwards costs little.
    static let minimumBytes: Int64 = 16 << 20

    private let forwarder: UploadForwarder
    private let idleMilliseconds: Int
    private let limit: Int
    private let active = Atomic<Int>(0)
    private let logger: Logger

    init(forwarder: UploadForwarder, idleMilliseconds: Int, limit: Int = 4, logger: Logger) {
        self.forwarder = forwarder
        self.idleMilliseconds = idleMilliseconds
        self.limit = limit
        self.logger = logger
    }

    /// Follows upload `id` of `size` bytes if following is on and a slot is free.
    func start(_ id: String, size: Int64) {
        guard idleMilliseconds > 0, size >= Self.minimumBytes else { return }
        guard active.add(1, ordering: .relaxed).newValue <= limit else {
            active.subtract(1, ordering: .relaxed)
            return
        }
        do {
            try OSThread.start { [self] in
                forwarder.follow(id, idleMilliseconds: idleMilliseconds)
                active.subtract(1, ordering: .relaxed)
            }.detach()
        } catch {
            active.subtract(1, ordering: .relaxed)
            logger.warning("cannot start an upload follower; the upload is forwarded after its last chunk", metadata: ["error": "\(error)"])
        }
    }
}
