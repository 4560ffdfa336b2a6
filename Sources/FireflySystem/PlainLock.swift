#if canImport(Glibc)
import Glibc
#endif

/// A value behind a plain `pthread_mutex_t`: an uncontended lock is one atomic instruction, and a
/// contended one sleeps in the kernel at once. The standard library's `Mutex` on Linux spins and
/// then takes a priority-inheritance futex; with many more pool threads than cores, a preempted
/// holder made the request path spend a quarter of its CPU spinning there (perf, cache-hit load).
public final class PlainLock<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
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
}
