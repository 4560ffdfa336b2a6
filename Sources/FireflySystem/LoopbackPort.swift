#if canImport(Glibc)
import Glibc
#endif

/// Finding a free TCP port on 127.0.0.1 (for test servers).
public enum LoopbackPort {
    /// A port free on 127.0.0.1 right now, chosen at random below the kernel's ephemeral range.
    ///
    /// Not port 0's answer: that comes from the ephemeral range, where every outgoing connection
    /// also takes its local port, so under load (wrk, curl, PostgreSQL clients of tests running
    /// side by side) another connection could take it before the server binds ("That port is
    /// already in use").
    public static func findFree() throws -> Int {
        let ceiling = ephemeralRangeStart()
        let floor = min(10_000, ceiling - 1_000)
        for _ in 0..<200 {
            let candidate = Int.random(in: floor..<ceiling)
            if try isFree(candidate) { return candidate }
        }
        throw SystemError("bind", code: EADDRINUSE)
    }

    /// The first port of `net.ipv4.ip_local_port_range` (32768 when it cannot be read).
    static func ephemeralRangeStart() -> Int {
        guard let file = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r") else { return 32_768 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return 32_768 }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first,
              let start = Int(first), start > 2_000 else { return 32_768 }
        return start
    }

    /// True when a socket can bind `port` on 127.0.0.1 (without `SO_REUSEADDR`: a port with
    /// connections lingering in TIME_WAIT counts as taken).
    static func isFree(_ port: Int) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }
}
