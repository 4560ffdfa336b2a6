#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, and the `errno` it left.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    /// The call that failed, e.g. `bind`.
    public let call: String
    /// The `errno` value.
    public let code: Int32

    public init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    /// The file system is full (or the writer's disk quota is spent).
    public var isOutOfSpace: Bool { code == ENOSPC || code == EDQUOT }

    public var description: String {
        "\(call): \(String(cString: strerror(code)))"
    }
}
