#if canImport(Glibc)
import Glibc
#endif

/// Whether standard error is connected to systemd's journal: systemd sets `JOURNAL_STREAM` to the
/// `device:inode` of the stream it gives the service; when standard error is still that stream,
/// lines may carry a `<N>` syslog priority prefix that journald strips and records.
public enum JournalStream {
    public static func isStandardError(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
