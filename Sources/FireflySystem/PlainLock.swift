#if canImport(Glibc)
import Glibc
#endif

/// A value behind a plain `pthread_mutex_t`: an uncontended lock is one atomic instruction, and a
/// contended one sleeps in the kernel at once. The standard library's `Mutex` on Linux spins and
/// then takes a priority-inheritance futex; with many more pool threads than cores, a preempted
/// holder made the request path spend a quarter of its CPU spinning there (perf, cache-hit load).
/// Threads may also wait, the lock released, until the value lets them go on (a condition variable).
public final class PlainLock<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, the lock held.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs `body` with the value, the lock held, once `mustWait` no longer holds for it (the
    /// thread sleeps, the lock released, until ``wakeAll()``).
    public func withLock<Result>(waitingWhile mustWait: (Value) -> Bool, _ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while mustWait(value) { pthread_cond_wait(condition, mutex) }
        return try body(&value)
    }

    /// Wakes every thread waiting in ``withLock(waitingWhile:_:)`` (each checks its condition again).
    public func wakeAll() {
        pthread_cond_broadcast(condition)
    }
}
