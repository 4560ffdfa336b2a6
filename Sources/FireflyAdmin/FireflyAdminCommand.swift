import ArgumentParser
import FireflyCore
import FireflyLogging
import FireflyCrypto
import FireflyPostgres
import FireflySettings
import FireflySystem
import FoundationEssentials
import Logging

/// `firefly-admin`: operator commands that act on the database.
@main
struct FireflyAdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firefly-admin",
        abstract: "FireFly administration.",
        version: FireflyVersion.current,
        subcommands: [Migrate.self, SchemaVersion.self, Organization.self, Users.self, Sessions.self, Audit.self, Sweep.self, VaultCommand.self, Provider.self]
    )
}

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

extension FireflyAdminCommand {
    /// Applies pending schema migrations.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (safe to run again, and from two hosts at once).")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let (connection, logger) = try await options.connect()
            let applied = try MigrationRunner(logger: logger).migrate(connection)
            let version = try MigrationRunner.currentVersion(connection)
            if !applied.isEmpty {
                try options.record(connection, action: "migrate", detail: "applied=\(applied.map(String.init).joined(separator: ",")) version=\(version)")
            }
            print(applied.isEmpty ? "schema is current (version \(version))" : "applied \(applied.map(String.init).joined(separator: ", ")); schema version \(version)")
            // Rules from before providers were named belong to the one provider there was.
            let providers = try await options.load().identity.providers.map(\.name)
            let unbound = try connection.query("SELECT count(*) FROM organization_rules WHERE provider = ''").scalar ?? "0"
            if unbound != "0" {
                if providers.count == 1, let only = providers.first {
                    try connection.query("UPDATE organization_rules SET provider = \(only) WHERE provider = ''")
                    print("bound \(unbound) organization rule(s) to the provider \(only)")
                } else if providers.count > 1 {
                    print("warning: \(unbound) organization rule(s) name no provider and place nobody while several are configured; "
                          + "add them again with --provider (firefly-admin org list shows them)")
                }
            }
        }
    }

    /// Prints the schema version.
    struct SchemaVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "schema-version", abstract: "Print the database schema version and the version this build needs.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let (connection, _) = try await options.connect()
            print("database \(try MigrationRunner.currentVersion(connection)); this build \(Migrations.latestVersion)")
        }
    }
}
