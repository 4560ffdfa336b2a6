import ArgumentParser
import FireflyPostgres

extension FireflyAdminCommand {
    /// `firefly-admin audit`: the calls made to Databricks, filtered by organization, user and time.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show Databricks calls from the audit log, or sign-ins and operator actions with --security (newest first).")
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "Organization slug.") var org: String?
        @Option(help: "User email.") var email: String?
        @Option(help: "From this time (PostgreSQL timestamp, e.g. 2026-11-23 08:00 or '1 hour' ago via --last).") var since: String?
        @Option(help: "Until this time.") var until: String?
        @Option(help: "Only the last period, e.g. '15 minutes', '2 hours'.") var last: String?
        @Option(help: "Rows at most.") var limit: Int = 100
        @Flag(help: "Sign-ins (accepted and refused) and operator actions instead of Databricks calls.") var security = false

        func run() async throws {
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1…100000") }
            let (connection, _) = try await options.connect()
            if security { return try printSecurityEvents(connection) }
            let result: QueryResult
            do {
                result = try connection.query("""
                    SELECT to_char(a.at, 'YYYY-MM-DD"T"HH24:MI:SS.MS'), coalesce(o.slug, '-'), coalesce(u.email, '-'), a.method, a.path_template,
                           a.status, round(a.duration_ms::numeric, 1), coalesce(a.request_id, '-')
                    FROM audit_log a LEFT JOIN organizations o ON o.id = a.organization_id LEFT JOIN users u ON u.id = a.user_id
                    WHERE (\(org)::text IS NULL OR o.slug = \(org))
                      AND (\(email)::text IS NULL OR lower(u.email) = lower(\(email)))
                      AND (\(since)::text IS NULL OR a.at >= \(since)::timestamptz)
                      AND (\(until)::text IS NULL OR a.at <= \(until)::timestamptz)
                      AND (\(last)::text IS NULL OR a.at >= now() - \(last)::interval)
                    ORDER BY a.at DESC LIMIT \(limit)
                    """)
            } catch let error as PostgresError where error.kind == .statement {
                throw ValidationError("bad filter: \(error.message)")
            }
            print("time\torganization\tuser\tmethod\tpath\tstatus\tms\trequest_id")
            for row in result.rows { print(row.map { $0 ?? "" }.joined(separator: "\t")) }
        }

        private func printSecurityEvents(_ connection: PostgresConnection) throws {
            let result: QueryResult
            do {
                result = try connection.query("""
                    SELECT to_char(e.at, 'YYYY-MM-DD"T"HH24:MI:SS.MS'), e.actor, e.action, e.outcome, coalesce(o.slug, '-'), e.detail,
                           coalesce(e.remote_address, '-')
                    FROM security_events e LEFT JOIN organizations o ON o.id = e.organization_id LEFT JOIN users u ON u.id = e.user_id
                    WHERE (\(org)::text IS NULL OR o.slug = \(org))
                      AND (\(email)::text IS NULL OR lower(u.email) = lower(\(email)) OR lower(e.actor) = lower(\(email)))
                      AND (\(since)::text IS NULL OR e.at >= \(since)::timestamptz)
                      AND (\(until)::text IS NULL OR e.at <= \(until)::timestamptz)
                      AND (\(last)::text IS NULL OR e.at >= now() - \(last)::interval)
                    ORDER BY e.at DESC LIMIT \(limit)
                    """)
            } catch let error as PostgresError where error.kind == .statement {
                throw ValidationError("bad filter: \(error.message)")
            }
            print("time\tactor\taction\toutcome\torganization\tdetail\tremote_address")
            for row in result.rows { print(row.map { $0 ?? "" }.joined(separator: "\t")) }
        }
    }
}
