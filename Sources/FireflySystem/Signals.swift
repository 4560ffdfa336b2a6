#if canImport(Glibc)
import Glibc
#endif

/// Signal masks and synchronous signal handling (no work happens inside signal handlers).
public enum Signals {
    /// Blocks `signals` in the calling thread; threads started afterwards inherit the mask.
    public static func block(_ signals: [Int32]) {
        var set = makeSet(signals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Unblocks `signals` in the calling thread.
    public static func unblock(_ signals: [Int32]) {
        var set = makeSet(signals)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Waits up to `timeoutMilliseconds` for one of the (blocked) `signals`; nil when none arrived.
    public static func wait(for signals: [Int32], timeoutMilliseconds: Int) -> Int32? {
        var set = makeSet(signals)
        var timeout = timespec(tv_sec: timeoutMilliseconds / 1000, tv_nsec: (timeoutMilliseconds % 1000) * 1_000_000)
        let received = sigtimedwait(&set, nil, &timeout)
        return received > 0 ? received : nil
    }

    /// Installs a handler that does nothing, without `SA_RESTART`, so that the signal interrupts a
    /// blocking call (`accept`, `poll`) in the thread it is sent to.
    public static func installInterruptingNoOp(_ signal: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(signal, &action, nil)
    }

    /// Ignores `signal` (e.g. `SIGPIPE`, so a closed peer gives `EPIPE` instead of killing us).
    public static func ignore(_ signal: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&action.sa_mask)
        sigaction(signal, &action, nil)
    }

    private static func makeSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }
}
