#if canImport(Glibc)
import Glibc
#endif

/// A unix datagram socket that receives messages: stands in for systemd's notify socket in tests.
public final class UnixDatagramReceiver {
    private let fd: Int32
    /// The socket's path.
    public let path: String

    public init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        self.path = path
        unlink(path)
        try UnixSocket.withAddress(path) { address, length in
            guard bind(fd, address, length) == 0 else { throw SystemError("bind(\(path))") }
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next message, or nil when none arrives within `timeoutMilliseconds`.
    public func receive(timeoutMilliseconds: Int32) -> String? {
        guard Poll.waitReadable(fd, timeoutMilliseconds: timeoutMilliseconds) == .readable else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
