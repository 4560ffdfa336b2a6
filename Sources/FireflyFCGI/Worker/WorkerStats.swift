import Synchronization

/// Counters one worker process shares between its threads and reports to the master.
final class WorkerStats: Sendable {
    /// Threads currently handling a request.
    let busyThreads = Atomic<Int>(0)
    /// Requests accepted since the worker started.
    let acceptedRequests = Atomic<Int>(0)
    /// Threads still running their accept loop.
    let liveThreads = Atomic<Int>(0)
    /// Set once the worker stops accepting (SIGTERM from the master, or recycling).
    let stopping = Atomic<Bool>(false)

    var isStopping: Bool { stopping.load(ordering: .acquiring) }
}
