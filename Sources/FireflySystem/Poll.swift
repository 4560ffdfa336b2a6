#if canImport(Glibc)
import Glibc
#endif

/// Waiting for descriptors to become readable.
public enum Poll {
    /// The outcome of waiting on one descriptor.
    public enum Outcome: Sendable, Equatable {
        /// Data (or end of file) can be read.
        case readable
        /// The time ran out.
        case timedOut
        /// A signal interrupted the wait.
        case interrupted
    }

    /// Waits until `fd` is readable, `timeoutMilliseconds` pass (-1 waits forever), or a signal arrives.
    public static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) -> Outcome {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let result = poll(&entry, 1, timeoutMilliseconds)
        if result > 0 { return .readable }
        if result == 0 { return .timedOut }
        return .interrupted
    }

    /// Waits on several descriptors; returns those that are readable (or hung up).
    public static func readable(_ fds: [Int32], timeoutMilliseconds: Int32) -> [Int32] {
        guard !fds.isEmpty else {
            if timeoutMilliseconds > 0 { usleep(UInt32(timeoutMilliseconds) * 1000) }
            return []
        }
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let result = poll(&entries, nfds_t(entries.count), timeoutMilliseconds)
        guard result > 0 else { return [] }
        return entries.filter { $0.revents != 0 }.map(\.fd)
    }
}
