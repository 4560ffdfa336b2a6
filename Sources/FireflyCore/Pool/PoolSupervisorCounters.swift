extension PoolSupervisor {
    /// Counters for the status document.
    public struct Counters: Sendable, Equatable {
        public var respawns = 0
        public var crashRespawns = 0
        public var recycles = 0
        public var reloads = 0
        /// Requests accepted by workers that have exited.
        public var retiredAcceptedRequests = 0

        public init() {}
    }
}
