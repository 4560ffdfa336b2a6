import ArgumentParser
import FireflyCore
import FireflyPostgres

extension FireflyAdminCommand.Sessions {
    /// `firefly-admin sessions list [--email E] [--org SLUG]`: live sessions, never their secrets
    /// (the id shown is the first 8 hex digits of the stored SHA-256, enough to tell them apart).
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List live sessions: user, organization, provider, started, last seen, expiry.")
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "Only this user's sessions.") var email: String?
        @Option(help: "Only sessions in this organization.") var org: String?

        func run() async throws {
            let (connection, _) = try await options.connect()
            let result = try connection.query("""
                SELECT substr(encode(s.id_hash, 'hex'), 1, 8) AS id, u.email, o.slug, s.provider, s.created_at, s.last_seen_at, s.expires_at
                FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = s.organization_id
                WHERE s.expires_at > now() AND (\(email)::text IS NULL OR lower(u.email) = lower(\(email)))
                  AND (\(org)::text IS NULL OR o.slug = \(org))
                ORDER BY s.last_seen_at DESC
                """)
            print("id\temail\torganization\tprovider\tstarted\tlast seen\texpires")
            for row in result.rows { print(row.map { $0 ?? "" }.joined(separator: "\t")) }
        }
    }
}
