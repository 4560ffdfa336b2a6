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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cmd-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let handle = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output)
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
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/sbin", "/sbin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw StackError("\(name) is not installed: run scripts/install-deps (integration tests never skip a missing component)")
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
