#if canImport(Glibc)
import Glibc
#endif

/// A plain POSIX thread, for the blocking accept loops of the FastCGI workers.
public final class OSThread: @unchecked Sendable {
    // pthread_t is written once in start() before anyone reads it, then only read.
    private var handle = pthread_t()

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private init() {}

    /// Starts `body` on a new thread with a 1 MiB stack (a worker runs many threads; the default 8 MiB
    /// of address space each is needless).
    public static func start(stackBytes: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) throws -> OSThread {
        let thread = OSThread()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&thread.handle, &attributes, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            box.body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw SystemError("pthread_create", code: status)
        }
        return thread
    }

    /// Sends `signal` to this thread (used to interrupt a blocking accept).
    public func signal(_ signal: Int32) {
        pthread_kill(handle, signal)
    }

    /// Lets the thread's resources go when it ends (for threads nobody joins).
    public func detach() {
        pthread_detach(handle)
    }

    /// Waits for the thread to finish.
    public func join() {
        pthread_join(handle, nil)
    }
}
