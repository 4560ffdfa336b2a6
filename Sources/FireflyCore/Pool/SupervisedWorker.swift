/// What the pool supervisor knows about one worker process.
public struct SupervisedWorker: Sendable, Equatable {
    public let pid: Int32
    /// The configuration generation the worker was started with.
    public let generation: Int
    /// The worker's place in the pool (0 ..< workers); a replacement takes the same slot.
    public let slot: Int
    /// When it was spawned, in monotonic milliseconds.
    public let startedAt: UInt64
    /// Every thread accepts.
    public var ready = false
    /// Told to stop (SIGTERM, retire or recycle): its exit is expected, not a crash.
    public var draining = false
    public var busyThreads = 0
    public var idleThreads = 0
    public var acceptedRequests = 0

    public init(pid: Int32, generation: Int, slot: Int, startedAt: UInt64) {
        self.pid = pid
        self.generation = generation
        self.slot = slot
        self.startedAt = startedAt
    }
}
