#if canImport(Glibc)
import Glibc
#endif

/// Small operations on raw file descriptors.
public enum FileDescriptors {
    /// Closes `fd`, ignoring errors (the descriptor is gone either way on Linux).
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Sets or clears `FD_CLOEXEC`.
    public static func setCloseOnExec(_ fd: Int32, _ enabled: Bool) throws {
        let flags = fcntl(fd, F_GETFD)
        guard flags >= 0 else { throw SystemError("fcntl(F_GETFD)") }
        let updated = enabled ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC
        guard fcntl(fd, F_SETFD, updated) == 0 else { throw SystemError("fcntl(F_SETFD)") }
    }

    /// Sets or clears `O_NONBLOCK`.
    public static func setNonBlocking(_ fd: Int32, _ enabled: Bool) throws {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { throw SystemError("fcntl(F_GETFL)") }
        let updated = enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        guard fcntl(fd, F_SETFL, updated) == 0 else { throw SystemError("fcntl(F_SETFL)") }
    }

    /// Duplicates `fd` to the lowest free number at or above `minimum`, close-on-exec.
    public static func duplicate(_ fd: Int32, atLeast minimum: Int32) throws -> Int32 {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, minimum)
        guard copy >= 0 else { throw SystemError("fcntl(F_DUPFD_CLOEXEC)") }
        return copy
    }

    /// True when `fd` is an open descriptor.
    public static func isOpen(_ fd: Int32) -> Bool {
        fcntl(fd, F_GETFD) >= 0
    }

    /// Creates a pipe whose both ends are close-on-exec.
    public static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw SystemError("pipe") }
        // pipe2 is not exposed to Swift; the callers (master, signal set-up) are single-threaded here.
        try setCloseOnExec(fds[0], true)
        try setCloseOnExec(fds[1], true)
        return (fds[0], fds[1])
    }

    /// Writes all of `bytes`, retrying on `EINTR`; returns false when the peer is gone.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Reads what is available (at most `limit` bytes); nil on end of file or error other than `EAGAIN`/`EINTR`.
    public static func readAvailable(_ fd: Int32, limit: Int = 4096) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, limit) }
        if count > 0 { return Array(buffer[0..<count]) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return [] }
        return nil
    }

    /// Reads a whole file, or nil when it cannot be opened.
    public static func readFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var result: [UInt8] = []
        while result.count < limit {
            guard let chunk = readAvailable(fd, limit: min(65536, limit - result.count)) else { break }
            if chunk.isEmpty {
                if errno == EINTR { continue }
                break
            }
            result += chunk
        }
        return result
    }

    /// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError("open(\(temporary))") }
        let ok = writeAll(fd, bytes)
        Glibc.close(fd)
        guard ok else {
            unlink(temporary)
            throw SystemError("write(\(temporary))")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SystemError("rename(\(path))")
        }
    }

    /// Moves `source` to `destination` in one step, replacing a file there (rename(2): a reader
    /// sees the old file or the new one, and two movers to the same name never collide).
    public static func move(_ source: String, replacing destination: String) throws {
        guard rename(source, destination) == 0 else { throw SystemError("rename(\(source), \(destination))") }
    }
}
