import ArgumentParser
import FireflyCrypto
import FireflyPostgres

extension FireflyAdminCommand {
    /// `firefly-admin vault status|reencrypt`: key rotation. To rotate: put a new key
    /// (`openssl rand -hex 32`) on the first line of the vault key file, keeping the old one below;
    /// reload the pool; run `reencrypt`; when `status` shows only the new key id, delete the old line.
    struct VaultCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "vault", abstract: "Vault key ring: status and re-encryption.",
                                                        subcommands: [Status.self, Reencrypt.self])

        /// Every sealed column: table, key column, sealed column, purpose.
        static let sealedColumns: [(table: String, key: String, column: String, purpose: String)] = [
            ("spn_credentials", "organization_id", "secret_enc", "spn-secret"),
            ("spn_tokens", "organization_id", "token_enc", "spn-token"),
            ("sessions", "id_hash", "refresh_token_enc", "refresh-token"),
        ]

        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Which keys seal how many secrets (never the secrets).")
            @OptionGroup var options: ConfigurationOptions

            func run() async throws {
                let vault = try await options.vault()
                let (connection, _) = try await options.connect()
                print("key ring: \(vault.keys.map(\.id).joined(separator: ", ")) (\(vault.keyID) seals)")
                for entry in VaultCommand.sealedColumns {
                    // Table and column names come from the list above, never from input.
                    let result = try connection.query(SQLQuery(stringLiteral: """
                        SELECT split_part(\(entry.column), ':', 2) AS key_id, count(*) FROM \(entry.table)
                        WHERE \(entry.column) IS NOT NULL GROUP BY 1 ORDER BY 1
                        """))
                    for row in result.rows { print("\(entry.table).\(entry.column)\tkey \(row[0] ?? "?")\t\(row[1] ?? "0")") }
                }
            }
        }

        struct Reencrypt: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Re-seal every secret and cached token with the first key of the ring.")
            @OptionGroup var options: ConfigurationOptions

            func run() async throws {
                let vault = try await options.vault()
                let (connection, _) = try await options.connect()
                var moved = 0
                for entry in VaultCommand.sealedColumns {
                    try connection.execute(script: "BEGIN")
                    do {
                        // Re-sealing changes no principal: the organization-change trigger stands aside.
                        try connection.query("SELECT set_config('firefly.resealing', 'on', true)")
                        let rows = try connection.query(SQLQuery(stringLiteral: """
                            SELECT encode(\(entry.key)::text::bytea, 'hex') AS k, \(entry.key)::text AS raw, \(entry.column) AS sealed FROM \(entry.table)
                            WHERE \(entry.column) IS NOT NULL AND split_part(\(entry.column), ':', 2) <> '\(vault.keyID)' FOR UPDATE
                            """))
                        for row in rows.rows {
                            guard let raw = row[1], let sealed = row[2] else { continue }
                            let resealed = try vault.seal(try vault.open(sealed, purpose: entry.purpose), purpose: entry.purpose)
                            var update = SQLQuery(stringLiteral: "UPDATE \(entry.table) SET \(entry.column) = $1 WHERE \(entry.key)::text = $2 AND \(entry.column) = $3")
                            update.bindings = [resealed, raw, sealed]
                            try connection.query(update)
                            moved += 1
                        }
                        try connection.execute(script: "COMMIT")
                    } catch {
                        try? connection.execute(script: "ROLLBACK")
                        throw ValidationError("re-encryption of \(entry.table) stopped, nothing of it changed: \(error)")
                    }
                }
                try options.record(connection, action: "vault.reencrypt", detail: "resealed=\(moved) key=\(vault.keyID)")
                print("re-sealed \(moved) secret(s) with key \(vault.keyID)")
            }
        }
    }
}
