extension PoolSupervisor {
    /// What the master must do after an event, in order. The supervisor decides; the master does
    /// the I/O (spawning, signals, systemd notifications, logging) and reports back.
    public enum Action: Sendable, Equatable {
        /// Start a worker for `slot` with the configuration of `generation`; answer with
        /// `spawned` or `spawnFailed`.
        case spawn(slot: Int, generation: Int)
        /// Ask a worker to stop: SIGTERM, or the retire signal when a successor already serves.
        case terminate(pid: Int32, retiring: Bool)
        /// Workers that outlived the drain deadline.
        case kill(pids: [Int32])
        /// Stop accepting: close (and unlink) the listening socket.
        case closeListener
        /// Load and validate the configuration file; answer with `configurationLoaded` or
        /// `configurationRejected`.
        case loadConfiguration
        /// The pool serves for the first time: `ready` of `expected` workers are ready (fewer
        /// when the start timeout passed first).
        case announceReady(ready: Int, expected: Int)
        /// A reload began: `generation` is the candidate configuration's number.
        case reloadStarted(generation: Int)
        /// The new generation serves; `draining` old workers were told to retire.
        case reloadCompleted(generation: Int, draining: Int)
        /// The new generation did not become ready in time; the old one keeps serving.
        case reloadFailed(generation: Int)
        /// The new configuration was invalid; the old one keeps serving.
        case reloadRefused
        /// A SIGHUP that cannot be acted on now (`reason` says why).
        case reloadIgnored(reason: String)
        /// A worker exited that was not told to: it is replaced after `delayMilliseconds`
        /// (`crashesInWindow` counts the storm).
        case workerCrashed(pid: Int32, slot: Int, delayMilliseconds: UInt64, crashesInWindow: Int)
        /// Every worker has exited after a stop: exit with this code.
        case exit(code: Int32)
    }
}
