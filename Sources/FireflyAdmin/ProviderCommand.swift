import ArgumentParser
import FireflyCore
import FireflyIdentity
import Logging

extension FireflyAdminCommand {
    /// `firefly-admin provider check NAME`: is an identity provider usable, and if not, why.
    struct Provider: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "provider", abstract: "Check the configured identity providers.", subcommands: [Check.self])

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Fetch a provider's discovery document and signing keys and report what is missing (exit 1 when unusable).")
            @OptionGroup var options: ConfigurationOptions
            @Argument(help: "The provider's name, as in FIREFLY_OIDC_PROVIDERS.") var name: String

            func run() async throws {
                let configuration = try await options.load()
                guard let settings = configuration.identity.providers.first(where: { $0.name == name.lowercased() }) else {
                    throw ValidationError("no identity provider named \(name) (configured: \(configuration.identity.providers.map(\.name).joined(separator: ", ")))")
                }
                let client = ProviderClient(settings: settings, clientSecret: "", logger: Logger(label: "firefly.admin"))
                let findings = client.check()
                for finding in findings { print("\(finding.ok ? "ok  " : "FAIL") \(finding.text)") }
                if findings.contains(where: { !$0.ok }) { throw ExitCode(1) }
            }
        }
    }
}
