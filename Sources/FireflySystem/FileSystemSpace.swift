#if canImport(Glibc)
import Glibc
#endif

/// Room left on a file system.
public enum FileSystemSpace {
    /// Bytes an unprivileged process may still write on the file system that holds `path`.
    public static func availableBytes(at path: String) throws -> Int64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw SystemError("statvfs(\(path))") }
        return Int64(clamping: UInt64(info.f_bavail) &* UInt64(info.f_frsize))
    }
}
