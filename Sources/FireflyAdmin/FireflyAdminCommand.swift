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
