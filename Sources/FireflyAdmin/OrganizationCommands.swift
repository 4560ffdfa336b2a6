import ArgumentParser
import FireflyCore
import FireflyCrypto
import FireflyPostgres
import FoundationEssentials

extension FireflyAdminCommand {
    /// `firefly-admin org …`: organizations and the rules that place users in them.
    struct Organization: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "org", abstract: "Create and list organizations; set the rules that place users in them.",
            subcommands: [Create.self, List.self, Delete.self, AddRule.self, RemoveRule.self, SetWorkspace.self, SetSPN.self, TestSPN.self, TokenStatus.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create an organization.")
            @OptionGroup var options: ConfigurationOptions
            @Argument(help: "Short name: lower-case letters, digits and dashes.") var slug: String
            @Option(help: "Display name.") var name: String

            func run() async throws {
                let (connection, _) = try await options.connect()
                do {
                    let id = try connection.query("INSERT INTO organizations (slug, name) VALUES (\(slug), \(name)) RETURNING id").scalar ?? "?"
                    try options.record(connection, action: "org.create", detail: "org=\(slug)", organizationID: Int64(id))
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
                    SELECT o.slug, o.name,
                           coalesce(string_agg(r.kind || '=' || r.value || ' (' || CASE WHEN r.provider = '' THEN 'any provider' ELSE 'provider ' || r.provider END || ')',
                                               ', ' ORDER BY r.provider, r.kind, r.value), '') AS rules
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
            @Option(help: "The identity provider (a name in FIREFLY_OIDC_PROVIDERS) whose users the rule places; required with several.")
            var provider: String?

            /// The provider the rule is bound to: the one given (it must be configured), or the only one.
            func providerName(_ configuration: FireflyConfiguration) throws -> String {
                let configured = configuration.identity.providers.map(\.name)
                if let provider {
                    guard configured.contains(provider.lowercased()) else {
                        throw ValidationError("no identity provider named \(provider) is configured (FIREFLY_OIDC_PROVIDERS: \(configured.joined(separator: ", ")))")
                    }
                    return provider.lowercased()
                }
                guard configured.count == 1, let only = configured.first else {
                    throw ValidationError(configured.isEmpty ? "no identity provider is configured" : "several identity providers are configured: say which one with --provider")
                }
                return only
            }

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
                let provider = try rule.providerName(try await options.load())
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    INSERT INTO organization_rules (organization_id, kind, value, provider)
                    SELECT id, \(kind), \(value), \(provider) FROM organizations WHERE slug = \(slug)
                    ON CONFLICT DO NOTHING
                    """)
                guard try connection.query("SELECT 1 FROM organizations WHERE slug = \(slug)").rows.count == 1 else {
                    throw ValidationError("no organization named \(slug)")
                }
                try options.record(connection, action: "org.add-rule", detail: "org=\(slug) \(kind)=\(value) provider=\(provider)",
                                   outcome: result.affectedRows == 1 ? "ok" : "unchanged")
                print(result.affectedRows == 1 ? "rule added: \(kind) \(value) (provider \(provider)) → \(slug)" : "rule already present")
            }
        }

        struct RemoveRule: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove-rule", abstract: "Remove a rule.")
            @OptionGroup var options: ConfigurationOptions
            @Argument var slug: String
            @OptionGroup var rule: RuleOptions

            func run() async throws {
                let (kind, value) = try rule.rule()
                let provider = try rule.providerName(try await options.load())
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    DELETE FROM organization_rules WHERE kind = \(kind) AND value = \(value) AND provider IN (\(provider), '')
                      AND organization_id = (SELECT id FROM organizations WHERE slug = \(slug))
                    """)
                try options.record(connection, action: "org.remove-rule", detail: "org=\(slug) \(kind)=\(value) provider=\(provider)",
                                   outcome: result.affectedRows >= 1 ? "ok" : "unchanged")
                print(result.affectedRows >= 1 ? "rule removed" : "no such rule")
            }
        }
    }

    /// `firefly-admin sessions list|revoke`: see live sessions; end every session of a user at once, on every worker.
    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List and revoke sessions.", subcommands: [List.self, Revoke.self])

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "End every session of a user (workers drop them at once).")
            @OptionGroup var options: ConfigurationOptions
            @Option(help: "The user's email address.") var email: String

            func run() async throws {
                let (connection, _) = try await options.connect()
                let result = try connection.query("""
                    DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE lower(email) = lower(\(email)))
                    """)
                try options.record(connection, action: "sessions.revoke", detail: "email=\(email) sessions=\(result.affectedRows)")
                print("revoked \(result.affectedRows) session(s) of \(email)")
            }
        }
    }
}

extension FireflyAdminCommand.Organization {
    /// `firefly-admin org set-workspace SLUG --url … [--warehouse …]`.
    struct SetWorkspace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-workspace", abstract: "Set the organization's Databricks workspace and default SQL warehouse.")
        @OptionGroup var options: ConfigurationOptions
        @Argument var slug: String
        @Option(help: "Workspace URL, e.g. https://dbc-1234.cloud.databricks.com") var url: String
        @Option(help: "Default SQL warehouse id.") var warehouse: String?

        func run() async throws {
            var workspace = url
            while workspace.hasSuffix("/") { workspace.removeLast() }
            guard workspace.hasPrefix("https://") || workspace.hasPrefix("http://127.0.0.1") || workspace.hasPrefix("http://localhost") else {
                throw ValidationError("the workspace URL must be https:// (plain http only for a loopback simulator)")
            }
            let (connection, _) = try await options.connect()
            let result = try connection.query("""
                UPDATE organizations SET workspace_url = \(workspace), default_warehouse_id = \(warehouse) WHERE slug = \(slug)
                """)
            guard result.affectedRows == 1 else { throw ValidationError("no organization named \(slug)") }
            try options.record(connection, action: "org.set-workspace", detail: "org=\(slug) url=\(workspace) warehouse=\(warehouse ?? "-")")
            print("organization \(slug): workspace \(workspace)\(warehouse.map { ", warehouse \($0)" } ?? "")")
        }
    }

    /// `firefly-admin org set-spn SLUG --client-id … (--secret-file F | --secret-stdin)`: the secret
    /// never comes from argv; it is sealed with the vault key before it reaches the database.
    struct SetSPN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-spn", abstract: "Set the organization's service principal (secret from stdin or a file).")
        @OptionGroup var options: ConfigurationOptions
        @Argument var slug: String
        @Option(help: "The service principal's OAuth client id.") var clientId: String
        @Option(help: "File holding the client secret.") var secretFile: String?
        @Flag(help: "Read the client secret from standard input.") var secretStdin = false

        func run() async throws {
            guard (secretFile != nil) != secretStdin else { throw ValidationError("give exactly one of --secret-file, --secret-stdin") }
            var secret: String
            if let secretFile {
                guard let data = FileManager.default.contents(atPath: secretFile) else { throw ValidationError("cannot read \(secretFile)") }
                secret = String(decoding: data, as: UTF8.self)
            } else {
                secret = readLine(strippingNewline: true) ?? ""
            }
            while secret.last == "\n" || secret.last == "\r" { secret.removeLast() }
            guard !secret.isEmpty else { throw ValidationError("the client secret is empty") }
            let (connection, _) = try await options.connect()
            let vault = try await options.vault()
            let sealed = try vault.seal(secret, purpose: "spn-secret")
            let result = try connection.query("""
                INSERT INTO spn_credentials (organization_id, client_id, secret_enc)
                SELECT id, \(clientId), \(sealed) FROM organizations WHERE slug = \(slug)
                ON CONFLICT (organization_id) DO UPDATE SET client_id = EXCLUDED.client_id, secret_enc = EXCLUDED.secret_enc, updated_at = now(),
                                                             exchange_failed_at = NULL
                """)
            guard result.affectedRows == 1 else { throw ValidationError("no organization named \(slug)") }
            // A new principal invalidates the cached token.
            try connection.query("DELETE FROM spn_tokens WHERE organization_id = (SELECT id FROM organizations WHERE slug = \(slug))")
            try options.record(connection, action: "org.set-spn", detail: "org=\(slug) client_id=\(clientId) vault_key=\(vault.keyID)")
            print("organization \(slug): service principal \(clientId) set (secret sealed with vault key \(vault.keyID))")
        }
    }

    /// `firefly-admin org token-status SLUG`: whether a token is cached and until when; nothing secret.
    struct TokenStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "token-status", abstract: "Show the organization's SPN token state (never the token).")
        @OptionGroup var options: ConfigurationOptions
        @Argument var slug: String

        func run() async throws {
            let (connection, _) = try await options.connect()
            let result = try connection.query("""
                SELECT o.workspace_url, c.client_id, t.obtained_at, t.expires_at, t.expires_at > now() AS valid
                FROM organizations o LEFT JOIN spn_credentials c ON c.organization_id = o.id LEFT JOIN spn_tokens t ON t.organization_id = o.id
                WHERE o.slug = \(slug)
                """)
            guard result.rows.count == 1 else { throw ValidationError("no organization named \(slug)") }
            print("workspace:        \(result.value("workspace_url") ?? "(not set)")")
            print("service principal: \(result.value("client_id") ?? "(not set)")")
            if let expires = result.value("expires_at") {
                print("token:            \(result.value("valid") == "t" ? "valid" : "expired"), obtained \(result.value("obtained_at") ?? "?"), expires \(expires)")
            } else {
                print("token:            none cached")
            }
        }
    }
}
