import FireflySettings
import ArgumentParser
import FireflyCore
import FireflyLogging
import FireflyIdentity
import ProxyCore
import FireflySystem
import FoundationEssentials
import Logging

/// `firefly-fcgi`: the FastCGI pool. Without a subcommand it runs the master; the master starts
/// its workers as `firefly-fcgi worker …` with the listening socket inherited.
@main
struct FireflyFCGICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firefly-fcgi",
        abstract: "FireFly's FastCGI worker pool (master and workers).",
        version: FireflyVersion.current,
        subcommands: [Master.self, Worker.self],
        defaultSubcommand: Master.self
    )
}

extension FireflyFCGICommand.Master {
    /// The app host and FireFly's origin must agree between this file, the proxy's and nginx's
    /// site (see ``AppOriginConsistency``); a mismatch fails the check with every problem named.
    func checkAppOrigins(_ configuration: FireflyConfiguration) throws {
        let folder = config.contains("/") ? String(config[..<(config.lastIndex(of: "/") ?? config.endIndex)]) : "."
        let proxyPath = proxyConfig ?? (folder + "/proxy.conf")
        let sitePath = nginxSite ?? "/etc/nginx/sites-enabled/firefly"
        var proxyValues: [String: String]?
        if let data = FileManager.default.contents(atPath: proxyPath) {
            proxyValues = (try? ProxyConfiguration.parseFile(String(decoding: data, as: UTF8.self), path: proxyPath)) ?? [:]
        } else if proxyConfig != nil {
            throw checkFailure("cannot read \(proxyPath)")
        }
        let site = FileManager.default.contents(atPath: sitePath).map { String(decoding: $0, as: UTF8.self) }
        if site == nil, nginxSite != nil { throw checkFailure("cannot read \(sitePath)") }
        let problems = AppOriginConsistency.problems(appProxyBaseURL: configuration.appProxy.baseURL, publicOrigin: configuration.identity.publicOrigin,
                                                     proxyFile: proxyValues, nginxSite: site)
        guard problems.isEmpty else {
            throw checkFailure(problems.joined(separator: "\n  "))
        }
        if !configuration.appProxy.baseURL.isEmpty, proxyValues != nil || site != nil {
            print("firefly-fcgi: the app origin agrees with \([proxyValues.map { _ in proxyPath }, site.map { _ in sitePath }].compactMap { $0 }.joined(separator: " and "))")
        }
    }

    private func checkFailure(_ message: String) -> ExitCode {
        FireflyFCGICommand.printToStandardError("firefly-fcgi: configuration mismatch:\n  \(message)")
        return ExitCode(78)
    }
}

extension FireflyFCGICommand {
    /// The master process.
    struct Master: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "master", abstract: "Run the pool (the default).")

        @Option(name: .long, help: "Configuration file (KEY=value lines); environment variables override it.")
        var config: String = ProcessInfo.processInfo.environment["FIREFLY_CONFIG"] ?? "/etc/firefly/firefly.conf"

        @Flag(name: .customLong("check-config"), help: "Check the configuration and the secrets it names, print the result and exit (0: usable, 78: not).")
        var checkConfig = false

        @Option(name: .customLong("proxy-config"), help: "With --check-config: the proxy's configuration, compared for the app origin (default: proxy.conf beside --config, when present).")
        var proxyConfig: String?

        @Option(name: .customLong("nginx-site"), help: "With --check-config: the nginx site, compared for the app host (default: /etc/nginx/sites-enabled/firefly, when present).")
        var nginxSite: String?

        func run() async throws {
            // A check from a root shell reads the secrets the unit would load (see InstalledCredentials).
            let environment = checkConfig ? InstalledCredentials.environment(ProcessInfo.processInfo.environment) : ProcessInfo.processInfo.environment
            let configuration: FireflyConfiguration
            do {
                configuration = try await FireflyConfiguration.load(filePath: config, environment: environment)
                // Secrets the workers will need (client secrets, vault key) must be readable now.
                _ = try Identity(settings: configuration.identity, logger: Logger(label: "firefly.master"))
                do {
                    _ = try configuration.appProxy.readKeyHex().map { try TokenEnvelope(keyHex: $0) }
                } catch {
                    throw ConfigurationError(key: "FIREFLY_APP_PROXY_KEY_FILE", problem: "\(error)")
                }
            } catch {
                FireflyFCGICommand.printToStandardError("firefly-fcgi: configuration error: \(error)")
                throw ExitCode(78)  // EX_CONFIG
            }
            if checkConfig {
                try checkAppOrigins(configuration)
                print("firefly-fcgi: the configuration in \(config) is usable")
                return
            }
            LogfmtLogHandler.bootstrap(level: configuration.logLevel, environment: ProcessInfo.processInfo.environment)
            let logger = Logger(label: "firefly.master")
            let master: PoolMaster
            do {
                master = try PoolMaster(configuration: configuration, configurationPath: config, environment: environment, logger: logger)
            } catch {
                logger.critical("cannot open the listening socket", metadata: ["error": "\(error)"])
                throw ExitCode(1)
            }
            let code = await master.run()
            throw ExitCode(code)
        }
    }

    /// A worker process (started by the master only).
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "worker", abstract: "Internal: a worker started by the master.", shouldDisplay: false)

        @Option var listenFd: Int32
        @Option var statusFd: Int32
        @Option var generation: Int
        @Option var slot: Int

        func run() throws {
            let configuration: FireflyConfiguration
            do {
                configuration = try FireflyConfiguration.load(environment: ProcessInfo.processInfo.environment)
            } catch {
                FireflyFCGICommand.printToStandardError("firefly-fcgi worker: configuration error: \(error)")
                throw ExitCode(78)
            }
            LogfmtLogHandler.bootstrap(level: configuration.logLevel, environment: ProcessInfo.processInfo.environment)
            var logger = Logger(label: "firefly.worker")
            logger[metadataKey: "worker.generation"] = "\(generation)"
            logger[metadataKey: "worker.slot"] = "\(slot)"
            let worker = WorkerProcess(configuration: configuration, listenFD: listenFd, statusFD: statusFd,
                                       generation: generation, slot: slot, logger: logger)
            throw ExitCode(worker.run())
        }
    }

    static func printToStandardError(_ message: String) {
        var standardError = StandardError()
        print(message, to: &standardError)
    }
}

