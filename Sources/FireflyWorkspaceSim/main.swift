import ArgumentParser
import FoundationEssentials
import Logging
import WorkspaceSim

/// `firefly-workspace-sim`: a Databricks workspace on loopback (OAuth M2M, Unity Catalog, SQL
/// Statement Execution, Files, DBFS, Apps) for tests, benchmarks and the local demo.
@main
struct FireflyWorkspaceSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firefly-workspace-sim",
        abstract: "A simulated Databricks workspace on loopback.")

    @Option(name: .long, help: "Configuration file (JSON).")
    var config: String

    @Option(name: .long, help: "Write the bound port to this file once listening (for listen ports of 0).")
    var portFile: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "firefly.workspace-sim")
        let configuration: SimConfiguration
        do {
            configuration = try SimConfiguration.load(path: config)
        } catch {
            logger.critical("configuration error: \(error)")
            throw ExitCode(78)
        }
        let simulator = try WorkspaceSimulator(configuration: configuration, logger: logger)
        let portFile = self.portFile
        try await simulator.run { port in
            logger.info("workspace simulator listening", metadata: ["address": "\(configuration.listenAddress?.host ?? ""):\(port)"])
            if let portFile { try? "\(port)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
    }
}
