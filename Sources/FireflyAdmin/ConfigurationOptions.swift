import ArgumentParser
import FireflyCore
import FireflyLogging
import FireflyCrypto
import FireflyPostgres
import FireflySettings
import FireflySystem
import FoundationEssentials
import Logging

/// Options every subcommand shares.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (KEY=value lines); environment variables override it.")
    var config: String = ProcessInfo.processInfo.environment["FIREFLY_CONFIG"] ?? "/etc/firefly/firefly.conf"

    /// The process environment, plus the installed host's credentials folder when run from a root
    /// shell (the same secrets the services load; see ``InstalledCredentials``).
    var environment: [String: String] { InstalledCredentials.environment(ProcessInfo.processInfo.environment) }

    /// The vault, from the configured key file or systemd credential.
    func vault() async throws -> Vault {
        let configuration = try await FireflyConfiguration.load(filePath: config, environment: environment)
        guard let keys = try configuration.identity.readVaultKeys() else {
            throw ValidationError("no vault key: set FIREFLY_VAULT_KEY_FILE or the systemd credential vault-key")
        }
        return try Vault(keys: keys)
    }

    /// The validated configuration, with a clear error.
    func load() async throws -> FireflyConfiguration {
        do {
            return try await FireflyConfiguration.load(filePath: config, environment: environment)
        } catch {
            throw ValidationError("configuration error: \(error)")
        }
    }

    /// Records an operator action in `security_events` (who ran which command on what, when).
    func record(_ connection: PostgresConnection, action: String, detail: String = "", organizationID: Int64? = nil, outcome: String = "ok") throws {
        try SecurityEvent(actor: OperatorAccount.current(environment: ProcessInfo.processInfo.environment), action: "admin." + action,
                          outcome: outcome, organizationID: organizationID, detail: detail).record(connection)
    }

    /// Loads the configuration and opens a database connection, with clear errors.
    func connect() async throws -> (PostgresConnection, Logger) {
        let configuration = try await load()
        LogfmtLogHandler.bootstrap(level: configuration.logLevel, environment: ProcessInfo.processInfo.environment)
        let logger = Logger(label: "firefly.admin")
        do {
            let connection = try PostgresConnection(connectionString: configuration.database.url, password: try configuration.database.readPassword(), applicationName: "firefly-admin")
            return (connection, logger)
        } catch {
            throw ValidationError("cannot connect to PostgreSQL: \(error)")
        }
    }
}
