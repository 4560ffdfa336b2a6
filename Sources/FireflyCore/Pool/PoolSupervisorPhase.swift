extension PoolSupervisor {
    /// Where the pool is in its life.
    public enum Phase: Sendable, Equatable {
        /// Waiting for the first workers to become ready, until `deadline`.
        case starting(deadline: UInt64)
        /// Serving with the active generation.
        case running
        /// A SIGHUP arrived; the master is loading the configuration file.
        case loadingConfiguration
        /// `generation` is starting next to the active one; it must be ready by `deadline`.
        case reloading(generation: Int, deadline: UInt64)
        /// Draining every worker; stragglers are killed after `deadline`.
        case stopping(deadline: UInt64, killedStragglers: Bool)

        /// The name the status document shows.
        public var name: String {
            switch self {
            case .starting: "starting"
            case .running: "running"
            case .loadingConfiguration, .reloading: "reloading"
            case .stopping: "stopping"
            }
        }
    }
}
