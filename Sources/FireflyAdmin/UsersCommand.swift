import ArgumentParser
import FireflyCore
import FireflyPostgres

extension FireflyAdminCommand {
    /// `firefly-admin users list [--org SLUG]`: who has signed in, with their organizations and sessions.
    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users who have signed in.", subcommands: [List.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Users: email, name, last sign-in, live sessions and their organizations.")
            @OptionGroup var options: ConfigurationOptions
            @Option(help: "Only users with a session in this organization.") var org: String?

            func run() async throws {
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    SELECT u.email, coalesce(u.name, '') AS name, u.last_login_at,
                           count(s.id_hash) FILTER (WHERE s.expires_at > now()) AS sessions,
                           coalesce(string_agg(DISTINCT o.slug, ',') FILTER (WHERE s.expires_at > now()), '') AS orgs
                    FROM users u LEFT JOIN sessions s ON s.user_id = u.id LEFT JOIN organizations o ON o.id = s.organization_id
                    GROUP BY u.id
                    HAVING \(org)::text IS NULL OR bool_or(o.slug = \(org))
                    ORDER BY u.last_login_at DESC
                    """)
                print("email\tname\tlast sign-in\tsessions\torganizations")
                for row in result.rows { print(row.map { $0 ?? "" }.joined(separator: "\t")) }
            }
        }
    }
}
