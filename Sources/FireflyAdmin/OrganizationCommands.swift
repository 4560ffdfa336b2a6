import ArgumentParser
import FireflyPostgres
import FoundationEssentials

extension FireflyAdminCommand {
    /// `firefly-admin org …`: organizations and the rules that place users in them.
    struct Organization: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "org", abstract: "Create and list organizations; set the rules that place users in them.",
            subcommands: [Create.self, List.self, AddRule.self, RemoveRule.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create an organization.")
            @OptionGroup var options: ConfigurationOptions
            @Argument(help: "Short name: lower-case letters, digits and dashes.") var slug: String
            @Option(help: "Display name.") var name: String

            func run() async throws {
                let (connection, _) = try await options.connect()
                do {
                    let id = try connection.query("INSERT INTO organizations (slug, name) VALUES (\(slug), \(name)) RETURNING id").scalar ?? "?"
                    print("organization \(slug) created (id \(id))")
                } catch let error as PostgresError where error.sqlState == "23505" {
                    throw ValidationError("an organization named \(slug) already exists")
                } catch let error as PostgresError where error.sqlState == "23514" {
                    throw ValidationError("invalid slug or name: slugs are 1-63 lower-case letters, digits or dashes; names 1-200 characters")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List organizations and their rules.")
            @OptionGroup var options: ConfigurationOptions

            func run() async throws {
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    SELECT o.slug, o.name, coalesce(string_agg(r.kind || '=' || r.value, ', ' ORDER BY r.kind, r.value), '') AS rules
                    FROM organizations o LEFT JOIN organization_rules r ON r.organization_id = o.id
                    GROUP BY o.id ORDER BY o.slug
                    """)
                for row in result.rows { print("\(row[0] ?? "")\t\(row[1] ?? "")\t\(row[2] ?? "")") }
            }
        }

        /// Which rule: exactly one of the options.
        struct RuleOptions: ParsableArguments {
            @Option(help: "Users whose verified email is in this domain.") var emailDomain: String?
            @Option(help: "Users whose groups claim holds this value.") var group: String?
            @Option(help: "This one user (verified email address).") var member: String?

            func rule() throws -> (kind: String, value: String) {
                let given = [("email_domain", emailDomain?.lowercased()), ("group", group), ("member_email", member?.lowercased())].compactMap { kind, value in
                    value.map { (kind, $0) }
                }
                guard given.count == 1, let rule = given.first, !rule.1.isEmpty else {
                    throw ValidationError("give exactly one of --email-domain, --group, --member")
                }
                if rule.0 != "group", rule.1.contains(where: { $0.isWhitespace }) { throw ValidationError("\(rule.1) is not an email or domain") }
                return rule
            }
        }

        struct AddRule: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add-rule", abstract: "Place matching users in an organization.")
            @OptionGroup var options: ConfigurationOptions
            @Argument var slug: String
            @OptionGroup var rule: RuleOptions

            func run() async throws {
                let (kind, value) = try rule.rule()
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    INSERT INTO organization_rules (organization_id, kind, value)
                    SELECT id, \(kind), \(value) FROM organizations WHERE slug = \(slug)
                    ON CONFLICT DO NOTHING
                    """)
                guard try connection.query("SELECT 1 FROM organizations WHERE slug = \(slug)").rows.count == 1 else {
                    throw ValidationError("no organization named \(slug)")
                }
                print(result.affectedRows == 1 ? "rule added: \(kind) \(value) → \(slug)" : "rule already present")
            }
        }

        struct RemoveRule: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove-rule", abstract: "Remove a rule.")
            @OptionGroup var options: ConfigurationOptions
            @Argument var slug: String
            @OptionGroup var rule: RuleOptions

            func run() async throws {
                let (kind, value) = try rule.rule()
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    DELETE FROM organization_rules WHERE kind = \(kind) AND value = \(value)
                      AND organization_id = (SELECT id FROM organizations WHERE slug = \(slug))
                    """)
                print(result.affectedRows == 1 ? "rule removed" : "no such rule")
            }
        }
    }

    /// `firefly-admin sessions revoke --email …`: ends every session of a user at once, on every worker.
    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke sessions.", subcommands: [Revoke.self])

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "End every session of a user (workers drop them at once).")
            @OptionGroup var options: ConfigurationOptions
            @Option(help: "The user's email address.") var email: String

            func run() async throws {
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE lower(email) = lower(\(email)))
                    """)
                print("revoked \(result.affectedRows) session(s) of \(email)")
            }
        }
    }
}
