import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// FireFly's identity service in a worker process: OIDC login with PKCE, users and organizations,
/// sessions (database rows keyed by the SHA-256 of the cookie, cached per process), refresh-token
/// re-checks, logout. Methods take the calling thread's database connection.
public final class Identity: Sendable {
    public static let cookieName = "__Host-firefly_session"
    /// How long a started login may take.
    static let loginLifetimeSeconds = 600

    public let settings: IdentitySettings
    public let providers: [String: ProviderClient]
    public let sessions = SessionCache()
    /// The vault (nil only when no provider is configured).
    public let vault: Vault?
    let logger: Logger

    /// Reads the client secrets and the vault key; a missing one is a configuration error.
    public init(settings: IdentitySettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        var providers: [String: ProviderClient] = [:]
        for provider in settings.providers {
            guard let secret = try settings.readClientSecret(provider) else {
                throw ConfigurationError(key: OIDCProviderSettings.key(provider.name, "CLIENT_SECRET_FILE"),
                                         problem: "no client secret: give a file, or the systemd credential oidc-\(provider.name)-client-secret")
            }
            providers[provider.name] = ProviderClient(settings: provider, clientSecret: secret, logger: logger)
        }
        self.providers = providers
        vault = try settings.readVaultKeys().map { try Vault(keys: $0) }
        if !providers.isEmpty, vault == nil {
            throw ConfigurationError(key: "FIREFLY_VAULT_KEY_FILE", problem: "a vault key is required with OIDC providers (refresh tokens are kept encrypted)")
        }
    }

    public var isEnabled: Bool { !providers.isEmpty }

    // MARK: Vault

    func seal(_ text: String, purpose: String) throws -> String {
        guard let vault else { throw LoginFailure(500, "internal_error", "No vault key.") }
        return try vault.seal(text, purpose: purpose)
    }

    func open(_ sealed: String, purpose: String) throws -> String {
        guard let vault else { throw LoginFailure(500, "internal_error", "No vault key.") }
        return try vault.open(sealed, purpose: purpose)
    }
}
