/// The pool status document (`GET /pool-status`), written by the master.
public struct PoolStatus: Codable, Sendable {
    /// One worker's view.
    public struct Worker: Codable, Sendable {
        public var pid: Int32 = 0
        public var generation = 0
        public var slot = 0
        /// `starting`, `ready` or `draining`.
        public var state = "starting"
        public var busy_threads = 0
        public var idle_threads = 0
        public var accepted_requests = 0
        public var uptime_seconds = 0.0

        public init() {}
    }

    public var pid: Int32 = 0
    /// `starting`, `running`, `reloading` or `stopping`.
    public var state = "starting"
    public var generation = 0
    public var workers_configured = 0
    public var threads_per_worker = 0
    public var workers_running = 0
    public var busy_threads = 0
    public var idle_threads = 0
    /// Requests accepted since the master started, including by workers that have since exited.
    public var accepted_requests = 0
    public var respawns = 0
    public var crash_respawns = 0
    public var recycles = 0
    public var reloads = 0
    public var uptime_seconds = 0.0
    public var workers: [Worker] = []

    public init() {}
}
