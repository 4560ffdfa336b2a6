#if canImport(Glibc)
import Glibc
#endif

/// Finding a free TCP port on 127.0.0.1 (for test servers and the local run).
public enum LoopbackPort {
    /// A port the kernel just reported free on 127.0.0.1.
    public static func findFree() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SystemError("bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SystemError("getsockname") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

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
