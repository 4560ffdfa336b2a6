#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A program started with `posix_spawn`, its standard output and error appended to a file and its
/// standard input on /dev/null. Used by tools and tests that supervise real servers.
public final class ChildProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let endedStatus = Mutex<ExitStatus?>(nil)

    /// Starts `executable` with `arguments` and exactly `environment`, writing output to `outputPath`.
    public init(executable: String, arguments: [String], environment: [String: String], outputPath: String) throws {
        let output = open(outputPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw SystemError("open(\(outputPath))") }
        defer { close(output) }
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SystemError("open(/dev/null)") }
        defer { close(input) }
        pid = try ProcessSpawner.spawn(
            executable: executable, arguments: arguments, environment: environment,
            descriptors: [(input, 0), (output, 1), (output, 2)])
    }

    /// How the child ended, or nil while it runs.
    public var exitStatus: ExitStatus? {
        endedStatus.withLock { ended in
            if ended == nil { ended = ChildProcesses.poll(pid) }
            return ended
        }
    }

    /// True until the child has ended.
    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` to the child while it runs.
    public func send(_ signal: Int32) {
        if isRunning { _ = ChildProcesses.send(signal, to: pid) }
    }

    /// Blocks until the child ends and returns how.
    public func waitForExit() -> ExitStatus {
        if let status = exitStatus { return status }
        let status = ChildProcesses.wait(pid)
        return endedStatus.withLock { ended in
            if ended == nil { ended = status }
            return ended ?? status
        }
    }
}
