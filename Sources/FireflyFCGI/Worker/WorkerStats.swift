import FireflySystem
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

    /// While the worker retires (a successor serves: a reload or a recycle), the monotonic time in
    /// nanoseconds until which its kept connections wait for nginx to reuse or close them; 0 when it
    /// stops outright.
    let keepConnectionsUntil = Atomic<UInt64>(0)

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Stops accepting because a successor serves (a reload or a recycle): kept connections stay
    /// for nginx to end until one second before the drain deadline. No effect once stopping.
    func retire(drainMilliseconds: Int) {
        guard !isStopping else { return }
        let keep = UInt64(max(drainMilliseconds, 1_000) - 1_000) * 1_000_000
        keepConnectionsUntil.store(MonotonicClock.nanoseconds() + keep, ordering: .relaxed)
        stopping.store(true, ordering: .releasing)
    }

    /// Stops accepting because the pool stops: kept connections close after their response.
    func stopOutright() {
        keepConnectionsUntil.store(0, ordering: .relaxed)
        stopping.store(true, ordering: .releasing)
    }
}
