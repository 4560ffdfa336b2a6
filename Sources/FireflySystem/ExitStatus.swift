#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// `exit(code)`.
    case exited(Int32)
    /// Killed by a signal.
    case signaled(Int32)

    /// True for a clean `exit(0)`.
    public var isClean: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit code \(code)"
        case .signaled(let signal): return "signal \(signal) (\(String(cString: strsignal(signal))))"
        }
    }
}
