#if canImport(Glibc)
import Glibc
#endif

/// A value behind a `pthread_mutex_t` with a condition variable: threads wait, the lock released,
/// until the value says they may go on; whoever changes what they wait for wakes them.
public final class WaitableLock<Value: Sendable>: @unchecked Sendable {
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

    /// Runs `body` with the value, the lock held, once `mustWait` no longer holds for it.
    public func withLock<Result>(waitingWhile mustWait: (Value) -> Bool = { _ in false }, _ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while mustWait(value) { pthread_cond_wait(condition, mutex) }
        return try body(&value)
    }

    /// Wakes every waiting thread (each checks its condition again).
    public func wakeAll() {
        pthread_cond_broadcast(condition)
    }
}
