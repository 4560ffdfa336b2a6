#if canImport(Glibc)
import Glibc
#endif

/// Reaping and signalling child processes.
public enum ChildProcesses {
    /// Collects every child that has ended, without blocking.
    public static func reapEnded() -> [(pid: pid_t, status: ExitStatus)] {
        var ended: [(pid: pid_t, status: ExitStatus)] = []
        while true {
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, WNOHANG)
            guard pid > 0 else { break }
            let low = raw & 0x7f
            let status: ExitStatus = low == 0 ? .exited((raw >> 8) & 0xff) : .signaled(low)
            ended.append((pid, status))
        }
        return ended
    }

    /// The status of one specific child if it has ended (reaping it), nil while it runs.
    public static func poll(_ pid: pid_t) -> ExitStatus? {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == 0 { return nil }
        guard result == pid else { return .exited(-1) }
        let low = raw & 0x7f
        return low == 0 ? .exited((raw >> 8) & 0xff) : .signaled(low)
    }

    /// Waits for one specific child to end (blocking).
    public static func wait(_ pid: pid_t) -> ExitStatus {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        let low = raw & 0x7f
        return low == 0 ? .exited((raw >> 8) & 0xff) : .signaled(low)
    }

    /// Sends `signal` to `pid`; false when the process no longer exists.
    @discardableResult
    public static func send(_ signal: Int32, to pid: pid_t) -> Bool {
        kill(pid, signal) == 0
    }
}
