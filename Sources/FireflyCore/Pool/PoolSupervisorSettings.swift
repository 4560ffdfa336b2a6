extension PoolSupervisor {
    /// The parts of a generation's configuration that supervision depends on.
    public struct Settings: Sendable, Equatable {
        /// Workers the pool keeps running.
        public var workers: Int
        /// How long new workers may take to become ready (at start and on reload).
        public var startTimeoutMilliseconds: UInt64
        /// How long workers may take to finish their requests on stop; stragglers are then
        /// killed (after a further grace of two seconds).
        public var drainTimeoutMilliseconds: UInt64

        public init(workers: Int, startTimeoutMilliseconds: UInt64, drainTimeoutMilliseconds: UInt64) {
            self.workers = workers
            self.startTimeoutMilliseconds = startTimeoutMilliseconds
            self.drainTimeoutMilliseconds = drainTimeoutMilliseconds
        }
    }
}
