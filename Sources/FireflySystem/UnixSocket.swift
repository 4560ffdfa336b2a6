#if canImport(Glibc)
import Glibc
#endif

/// Unix-domain stream sockets: listening, connecting, accepting.
public enum UnixSocket {
    /// Creates a listening socket at `path` (a stale socket file is replaced) with the given file mode.
    public static func listen(path: String, mode: mode_t, backlog: Int32) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        do {
            unlink(path)
            try withAddress(path) { address, length in
                guard bind(fd, address, length) == 0 else { throw SystemError("bind(\(path))") }
            }
            guard chmod(path, mode) == 0 else { throw SystemError("chmod(\(path))") }
            guard Glibc.listen(fd, backlog) == 0 else { throw SystemError("listen(\(path))") }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Connects to the stream socket at `path` (used by tests and health probes).
    public static func connect(path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        do {
            try withAddress(path) { address, length in
                guard Glibc.connect(fd, address, length) == 0 else { throw SystemError("connect(\(path))") }
            }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// The result of one accept attempt.
    public enum AcceptResult: Sendable {
        /// A new connection (blocking, close-on-exec).
        case connection(Int32)
        /// A signal interrupted the call.
        case interrupted
        /// Nothing to accept right now, or a transient error worth retrying.
        case retry
        /// The listening socket is unusable.
        case failed(SystemError)
    }

    /// Accepts one connection; blocks when the listening socket is blocking.
    public static func accept(_ listenFD: Int32) -> AcceptResult {
        // accept4 is a GNU extension Swift's Glibc module does not expose; workers never spawn
        // processes, so setting close-on-exec right after accepting leaves no window that matters.
        let fd = Glibc.accept(listenFD, nil, nil)
        if fd >= 0 {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            return .connection(fd)
        }
        switch errno {
        case EINTR: return .interrupted
        case EAGAIN, ECONNABORTED, EPROTO, EMFILE, ENFILE, ENOBUFS, ENOMEM: return .retry
        default: return .failed(SystemError("accept4"))
        }
    }

    /// True when `fd` is a listening stream socket.
    public static func isListeningSocket(_ fd: Int32) -> Bool {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 else { return false }
        return value != 0
    }

    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) throws -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw SystemError("socket path too long (\(path))", code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
