import ArgumentParser
import Dispatch
import FireflySettings
import FireflySystem
import FoundationEssentials
import Logging
import NIOCore
import NIOPosix
import ProxyCore

#if canImport(Glibc)
import Glibc
#endif

/// `firefly-proxy`: serves `/app-proxy/` for nginx's app host, HTTP and WebSocket, to Databricks Apps.
@main
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firefly-proxy",
        abstract: "FireFly's app proxy: embeds Databricks Apps (HTTP and WebSocket) behind nginx's app host.",
        version: FireflyVersion.current
    )

    @Option(help: "Configuration file (KEY=value lines); the environment wins over it.")
    var config: String?

    @Option(name: .customLong("listen-socket"), help: "Unix socket to listen on (overrides FIREFLY_PROXY_LISTEN_SOCKET and PORT).")
    var listenSocket: String?

    @Flag(name: .customLong("check-config"), help: "Check the configuration and the key it names, print the result and exit (0: usable, 78: not).")
    var checkConfig = false

    func run() throws {
        let settings: ProxyConfiguration
        do {
            var fileValues: [String: String] = [:]
            if let config {
                guard let data = FileManager.default.contents(atPath: config) else {
                    throw ConfigurationError(key: "--config", problem: "cannot read the configuration file \(config)")
                }
                fileValues = try ProxyConfiguration.parseFile(String(decoding: data, as: UTF8.self), path: config)
            }
            // A check from a root shell reads the key the unit would load (see InstalledCredentials).
            let environment = checkConfig ? InstalledCredentials.environment(ProcessInfo.processInfo.environment) : ProcessInfo.processInfo.environment
            settings = try ProxyConfiguration(fileValues: fileValues, environment: environment,
                                              listenSocketOverride: listenSocket)
        } catch {
            FireflySystemOutput.writeStandardError("firefly-proxy: configuration error: \(error)\n")
            throw ExitCode(78)
        }
        if checkConfig {
            print("firefly-proxy: the configuration\(config.map { " in " + $0 } ?? "") is usable")
            return
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "firefly-proxy")

        let threads = settings.threads == 0 ? System.coreCount : settings.threads
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let resolverPool = NIOThreadPool(numberOfThreads: 2)
        resolverPool.start()
        let verifier = SessionVerifier(settings: settings.database, connections: settings.databaseConnections,
                                       checkIntervalSeconds: Double(settings.sessionCheckIntervalMilliseconds) / 1000)
        let server: any Channel
        do {
            server = try ProxyServer(configuration: settings, group: group, resolverPool: resolverPool, verifier: verifier, logger: logger).start()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.info("listening", metadata: ["address": "\(server.localAddress.map { "\($0)" } ?? "?")", "threads": "\(threads)"])

        // SIGTERM/SIGINT: stop accepting, let in-flight exchanges end, then exit.
        let signalQueue = DispatchQueue(label: "firefly-proxy.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler { server.close(promise: nil) }
            source.resume()
            sources.append(source)
        }
        try withExtendedLifetime(sources) { try server.closeFuture.wait() }
        logger.info("stopping")
        if case .unixSocket(let path, _) = settings.listener { try? FileManager.default.removeItem(atPath: path) }
        try? group.syncShutdownGracefully()
        try? resolverPool.syncShutdownGracefully()
        verifier.shutdown()
    }
}

