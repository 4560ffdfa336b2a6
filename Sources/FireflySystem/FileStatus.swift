#if canImport(Glibc)
import Glibc
#endif

/// Facts about a path.
public struct FileStatus: Sendable {
    public let isDirectory: Bool
    public let size: Int64
    /// Last modification, milliseconds since the epoch.
    public let modifiedMilliseconds: Int64

    /// The status of `path`, or nil when it does not exist.
    public static func of(_ path: String) -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let milliseconds = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
        return FileStatus(isDirectory: (info.st_mode & S_IFMT) == S_IFDIR, size: Int64(info.st_size), modifiedMilliseconds: milliseconds)
    }
}
