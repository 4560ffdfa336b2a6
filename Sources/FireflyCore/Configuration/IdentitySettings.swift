import FireflySettings
import FireflyCrypto
import FoundationEssentials

/// Login, sessions and the vault key.
public struct IdentitySettings: Sendable, Equatable {
    /// FireFly's public origin (`https://firefly.example.com`): redirect URIs and the CSRF origin check.
    public var publicURL: String
    public var providers: [OIDCProviderSettings]
    /// Lets issuers on `http://127.0.0.1`/`localhost` be used (tests and the local demo only).
    public var allowHTTPLoopbackIssuers: Bool
    /// How often a session's refresh token is checked against the provider (0 = never).
    public var refreshIntervalSeconds: Int
    public var sessionIdleTimeoutSeconds: Int
    public var sessionLifetimeSeconds: Int
    /// The vault key file (64 hex characters); default: the systemd credential `vault-key`.
    public var vaultKeyFile: String?
    /// `$CREDENTIALS_DIRECTORY`, for secrets given as systemd credentials.
    public var credentialsDirectory: String?

    /// The origin part of `publicURL` (scheme://host[:port]).
    public var publicOrigin: String {
        var text = publicURL
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The callback every provider redirects to.
    public var redirectURI: String { publicOrigin + "/auth/callback" }

    /// Parses the identity keys from resolved values; errors name the key.
    static func parse(_ values: [String: String], environment: [String: String]) throws -> IdentitySettings {
        let P = ConfigValueParser.self
        func text(_ key: String) -> String { values[key] ?? "" }
        let names: [String] = text("FIREFLY_OIDC_PROVIDERS").split(separator: ",").map { String($0).trimmingSpaces.lowercased() }.filter { !$0.isEmpty }
        var providers: [OIDCProviderSettings] = []
        for name in names {
            guard name.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }) else {
                throw ConfigurationError(key: "FIREFLY_OIDC_PROVIDERS", problem: "provider names are letters and digits only, got \"\(name)\"")
            }
            let issuerKey = OIDCProviderSettings.key(name, "ISSUER"), clientKey = OIDCProviderSettings.key(name, "CLIENT_ID")
            let issuer = text(issuerKey)
            guard !issuer.isEmpty else { throw ConfigurationError(key: issuerKey, problem: "is required for provider \(name)") }
            guard issuer.hasPrefix("https://") || issuer.hasPrefix("http://") else {
                throw ConfigurationError(key: issuerKey, problem: "expected an https:// URL, got \"\(issuer)\"")
            }
            guard !text(clientKey).isEmpty else { throw ConfigurationError(key: clientKey, problem: "is required for provider \(name)") }
            let scopes = (values[OIDCProviderSettings.key(name, "SCOPES")].flatMap { $0.isEmpty ? nil : $0 } ?? "openid email profile")
                .split(separator: " ").map(String.init)
            guard scopes.contains("openid") else {
                throw ConfigurationError(key: OIDCProviderSettings.key(name, "SCOPES"), problem: "must include openid")
            }
            let secretFile = values[OIDCProviderSettings.key(name, "CLIENT_SECRET_FILE")].flatMap { $0.isEmpty ? nil : $0 }
            let trustKey = OIDCProviderSettings.key(name, "TRUST_EMAIL")
            providers.append(OIDCProviderSettings(
                name: name, displayName: values[OIDCProviderSettings.key(name, "DISPLAY_NAME")].flatMap { $0.isEmpty ? nil : $0 } ?? name,
                issuer: issuer, clientID: text(clientKey), clientSecretFile: secretFile, scopes: scopes,
                groupsClaim: values[OIDCProviderSettings.key(name, "GROUPS_CLAIM")].flatMap { $0.isEmpty ? nil : $0 } ?? "groups",
                trustEmail: try ConfigValueParser.boolean(values[trustKey].flatMap { $0.isEmpty ? nil : $0 } ?? "false", key: trustKey)))
        }
        let publicURL = text("FIREFLY_PUBLIC_URL")
        if !providers.isEmpty {
            guard publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://") else {
                throw ConfigurationError(key: "FIREFLY_PUBLIC_URL", problem: "is required (https://host) when OIDC providers are configured")
            }
        }
        let allowLoopback = try P.boolean(text("FIREFLY_OIDC_ALLOW_HTTP_LOOPBACK"), key: "FIREFLY_OIDC_ALLOW_HTTP_LOOPBACK")
        for provider in providers where provider.issuer.hasPrefix("http://") {
            let host = provider.issuer.dropFirst(7).prefix { $0 != "/" && $0 != ":" }
            guard allowLoopback, host == "127.0.0.1" || host == "localhost" else {
                throw ConfigurationError(key: OIDCProviderSettings.key(provider.name, "ISSUER"),
                                         problem: "must be https:// (plain http only for loopback issuers with FIREFLY_OIDC_ALLOW_HTTP_LOOPBACK=true)")
            }
        }
        return IdentitySettings(
            publicURL: publicURL, providers: providers, allowHTTPLoopbackIssuers: allowLoopback,
            refreshIntervalSeconds: try P.duration(text("FIREFLY_OIDC_REFRESH_INTERVAL"), key: "FIREFLY_OIDC_REFRESH_INTERVAL", range: 0...86_400_000) / 1000,
            sessionIdleTimeoutSeconds: try P.duration(text("FIREFLY_SESSION_IDLE_TIMEOUT"), key: "FIREFLY_SESSION_IDLE_TIMEOUT", range: 10_000...86_400_000) / 1000,
            sessionLifetimeSeconds: try P.duration(text("FIREFLY_SESSION_LIFETIME"), key: "FIREFLY_SESSION_LIFETIME", range: 60_000...(30 * 86_400_000)) / 1000,
            vaultKeyFile: values["FIREFLY_VAULT_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 },
            credentialsDirectory: environment["CREDENTIALS_DIRECTORY"])
    }

    /// The vault key ring, from `vaultKeyFile` or the systemd credential `vault-key`: one key
    /// (64 hex characters) per line, the first one current; `#` lines are comments.
    public func readVaultKeys() throws -> [[UInt8]]? {
        guard let text = try SecretFile.read(explicitPath: vaultKeyFile, explicitKey: "FIREFLY_VAULT_KEY_FILE",
                                             credentialName: "vault-key", credentialsDirectory: credentialsDirectory) else { return nil }
        var keys: [[UInt8]] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let hex = String(line).trimmingSpaces
            if hex.isEmpty || hex.hasPrefix("#") { continue }
            guard hex.count == 64, let key = Hex.decode(hex) else {
                throw ConfigurationError(key: "FIREFLY_VAULT_KEY_FILE", problem: "each vault key must be 64 hexadecimal characters on its own line")
            }
            keys.append(key)
        }
        return keys.isEmpty ? nil : keys
    }

    /// A provider's client secret.
    public func readClientSecret(_ provider: OIDCProviderSettings) throws -> String? {
        try SecretFile.read(explicitPath: provider.clientSecretFile, explicitKey: OIDCProviderSettings.key(provider.name, "CLIENT_SECRET_FILE"),
                            credentialName: "oidc-\(provider.name)-client-secret", credentialsDirectory: credentialsDirectory)
    }
}

