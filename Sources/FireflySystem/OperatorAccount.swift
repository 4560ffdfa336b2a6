#if canImport(Glibc)
import Glibc
#endif

/// The account running a command, for audit rows: `root`, `alice`, or `root (sudo by alice)`.
public enum OperatorAccount {
    public static func current(environment: [String: String]) -> String {
        let uid = getuid()
        var name = "uid \(uid)"
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let pointer = entry.pw_name {
            name = String(cString: pointer)
        }
        if let sudoUser = environment["SUDO_USER"], !sudoUser.isEmpty, sudoUser != name {
            name += " (sudo by \(sudoUser))"
        }
        return name
    }
}
