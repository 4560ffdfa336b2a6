import FireflySystem
import Foundation

/// Running commands from tests, with output captured.
enum Shell {
    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `executable` to completion; stdout and stderr are captured together.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        // posix_spawn + waitpid rather than Foundation's Process, whose waitUntilExit can hang
        // when called off the main thread on Linux.
        let outputPath = NSTemporaryDirectory() + "/ff-cmd-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try ChildProcess(executable: executable, arguments: arguments,
                                     environment: environment ?? ProcessInfo.processInfo.environment, outputPath: outputPath)
        let status: Int32
        switch child.waitForExit() {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Result(status: status, output: output)
    }

    /// Runs a command that must succeed; its output otherwise becomes the error.
    @discardableResult
    static func succeed(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let result = try run(executable, arguments, environment: environment)
        guard result.status == 0 else {
            throw StackError("\(executable) \(arguments.joined(separator: " ")) failed with \(result.status):\n\(result.output)")
        }
        return result.output
    }

    /// Finds a program on PATH; a missing one fails the test (real components are never skipped).
    static func which(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw StackError("\(name) is not installed (searched \(path)): run scripts/install-deps (integration tests never skip a missing component)")
    }
}

/// A failure setting up or driving the test stack.
struct StackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(within seconds: Double, every interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}
