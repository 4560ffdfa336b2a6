import ArgumentParser
import FireflyCore
import FireflyPostgres

extension FireflyAdminCommand.Organization {
    /// `firefly-admin org delete SLUG [--yes]`: says what goes with the organization (its rules, service
    /// principal, cached token, sessions, statements and upload records; the audit log stays) and
    /// deletes it only with `--yes`. Workers drop its sessions and caches at once (notifications).
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an organization and everything that belongs to it (the audit log stays).")
        @OptionGroup var options: ConfigurationOptions
        @Argument var slug: String
        @Flag(help: "Delete without asking: the command otherwise only says what would go.") var yes = false

        func run() async throws {
            let (connection, _) = try await options.connect()
            let counts = try connection.query("""
                SELECT (SELECT count(*) FROM organization_rules r WHERE r.organization_id = o.id) AS rules,
                       (SELECT count(*) FROM sessions s WHERE s.organization_id = o.id) AS sessions,
                       (SELECT count(*) FROM statements t WHERE t.organization_id = o.id) AS statements,
                       (SELECT count(*) FROM uploads u WHERE u.organization_id = o.id) AS uploads,
                       (SELECT count(*) FROM spn_credentials c WHERE c.organization_id = o.id) AS principals
                FROM organizations o WHERE o.slug = \(slug)
                """)
            guard counts.rows.count == 1 else { throw ValidationError("no organization named \(slug)") }
            let summary = ["rules", "sessions", "statements", "uploads", "principals"].map { "\(counts.value($0) ?? "0") \($0)" }.joined(separator: ", ")
            guard yes else {
                print("organization \(slug) has \(summary); the audit log stays. Run again with --yes to delete it.")
                throw ExitCode(1)
            }
            let deleted = try connection.query("DELETE FROM organizations WHERE slug = \(slug)")
            guard deleted.affectedRows == 1 else { throw ValidationError("no organization named \(slug)") }
            try options.record(connection, action: "org.delete", detail: "org=\(slug) \(summary)")
            print("organization \(slug) deleted with \(summary); the audit log stays")
        }
    }
}
