#if canImport(Glibc)
import Glibc
#endif

/// systemd socket activation (`LISTEN_FDS`, `LISTEN_PID`): descriptors start at 3.
public enum SocketActivation {
    /// The first descriptor systemd passes.
    public static let firstDescriptor: Int32 = 3

    /// The descriptors handed to this process, or an empty list when it was not socket-activated.
    public static func descriptors(environment: [String: String]) -> [Int32] {
        guard let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid == getpid(),
              let countText = environment["LISTEN_FDS"], let count = Int32(countText), count > 0, count < 64
        else { return [] }
        return (0..<count).map { firstDescriptor + $0 }
    }

    /// This process's id.
    public static var currentProcessID: Int32 { getpid() }
}
