import ArgumentParser
import Dispatch
import FireflyLogging
import FireflyMetrics
import FireflyProxyServer
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

/// `firefly-proxy`: serves the app host for nginx, HTTP and WebSocket, to Databricks Apps.
/// SIGHUP reloads the configuration (open exchanges and WebSockets keep running); SIGTERM drains.
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
            // A check from a root shell reads the key the unit would load (see InstalledCredentials).
            settings = try loadSettings(environment: checkConfig ? InstalledCredentials.environment(ProcessInfo.processInfo.environment)
                                                                 : ProcessInfo.processInfo.environment)
        } catch {
            FireflySystemOutput.writeStandardError("firefly-proxy: configuration error: \(error)\n")
            throw ExitCode(78)
        }
        if checkConfig {
            print("firefly-proxy: the configuration\(config.map { " in " + $0 } ?? "") is usable")
            return
        }
        LogfmtLogHandler.bootstrap(level: Logger.Level(rawValue: settings.logLevel) ?? .info, environment: ProcessInfo.processInfo.environment)
        let logger = Logger(label: "firefly-proxy")
        let metrics = PrometheusBackend.bootstrap()
        ProxyMetrics.prepare()

        let threads = settings.threads == 0 ? System.coreCount : settings.threads
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let resolverPool = NIOThreadPool(numberOfThreads: 2)
        resolverPool.start()
        let verifier = SessionVerifier(settings: settings.database, connections: settings.databaseConnections,
                                       checkIntervalSeconds: Double(settings.sessionCheckIntervalMilliseconds) / 1000)
        let runtime: ProxyRuntime
        let server: any Channel
        var statusChannel: (any Channel)?
        do {
            runtime = ProxyRuntime(try ProxyContext(configuration: settings, resolverPool: resolverPool, verifier: verifier,
                                                    webSockets: OpenWebSockets(), logger: logger), threads: threads)
            server = try ProxyServer(runtime: runtime, group: group).start()
            if let status = settings.statusListener {
                statusChannel = try StatusServer(runtime: runtime, metrics: metrics, group: group).start(host: status.address, port: status.port)
            }
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.info("listening", metadata: ["address": "\(server.localAddress.map { "\($0)" } ?? "?")", "threads": "\(threads)",
                                             "status": "\(statusChannel?.localAddress.map { "\($0)" } ?? "off")"])

        // SIGHUP: reload; SIGTERM/SIGINT: stop accepting, drain, exit.
        let stop = DispatchSemaphore(value: 0)
        let signalQueue = DispatchQueue(label: "firefly-proxy.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler {
                if number == SIGHUP {
                    reload(runtime, resolverPool: resolverPool, logger: logger)
                } else {
                    stop.signal()
                }
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) { stop.wait() }
        runtime.drain(server: server, deadlineMilliseconds: runtime.current.configuration.drainTimeoutMilliseconds, logger: logger)
        statusChannel?.close(promise: nil)
        if case .unixSocket(let path, _) = settings.listener { try? FileManager.default.removeItem(atPath: path) }
        try? group.syncShutdownGracefully()
        try? resolverPool.syncShutdownGracefully()
        verifier.shutdown()
        logger.info("stopped")
    }

    /// The configuration file and the environment, validated.
    private func loadSettings(environment: [String: String]) throws -> ProxyConfiguration {
        var fileValues: [String: String] = [:]
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw ConfigurationError(key: "--config", problem: "cannot read the configuration file \(config)")
            }
            fileValues = try ProxyConfiguration.parseFile(String(decoding: data, as: UTF8.self), path: config)
        }
        return try ProxyConfiguration(fileValues: fileValues, environment: environment, listenSocketOverride: listenSocket)
    }

    /// Reads the configuration again and applies it to new requests; exchanges in flight and open
    /// WebSockets keep the settings they started with. A bad file keeps the running settings.
    private func reload(_ runtime: ProxyRuntime, resolverPool: NIOThreadPool, logger: Logger) {
        let previous = runtime.current
        do {
            let settings = try loadSettings(environment: ProcessInfo.processInfo.environment)
            var reloadedLogger = logger
            reloadedLogger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
            let context = try ProxyContext(configuration: settings, resolverPool: resolverPool, verifier: previous.verifier,
                                           webSockets: previous.webSockets, logger: reloadedLogger)
            let generation = runtime.replace(context)
            ProxyMetrics.countReload(succeeded: true)
            let kept = Self.restartOnlyChanges(from: previous.configuration, to: settings)
            reloadedLogger.notice("configuration reloaded", metadata: ["generation": "\(generation)"])
            if !kept.isEmpty {
                reloadedLogger.warning("settings that take effect only on restart were changed", metadata: ["keys": "\(kept.joined(separator: ","))"])
            }
        } catch {
            runtime.reloadFailed()
            ProxyMetrics.countReload(succeeded: false)
            logger.error("reload failed; the running configuration stays", metadata: ["error": "\(error)"])
        }
    }

    /// Keys a reload cannot apply: the sockets, the threads and the database connections.
    static func restartOnlyChanges(from old: ProxyConfiguration, to new: ProxyConfiguration) -> [String] {
        var keys: [String] = []
        if old.listener != new.listener { keys.append("FIREFLY_PROXY_LISTEN_SOCKET/PORT") }
        if old.statusListener != new.statusListener { keys.append("FIREFLY_PROXY_STATUS_LISTEN") }
        if old.threads != new.threads { keys.append("FIREFLY_PROXY_THREADS") }
        if old.database != new.database { keys.append("FIREFLY_PROXY_DATABASE_URL") }
        if old.databaseConnections != new.databaseConnections { keys.append("FIREFLY_PROXY_DATABASE_CONNECTIONS") }
        if old.sessionCheckIntervalMilliseconds != new.sessionCheckIntervalMilliseconds { keys.append("FIREFLY_PROXY_SESSION_CHECK_INTERVAL") }
        return keys
    }
}
