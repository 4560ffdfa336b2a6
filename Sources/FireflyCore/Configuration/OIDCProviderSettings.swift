import FireflySettings
import FireflyCrypto
import FoundationEssentials

/// One configured OpenID Connect provider (`FIREFLY_OIDC_<NAME>_*`).
public struct OIDCProviderSettings: Sendable, Equatable {
    /// Lower-case name, as in `FIREFLY_OIDC_PROVIDERS` (`okta`, `keycloak`…).
    public var name: String
    public var displayName: String
    /// The issuer; discovery is `<issuer>/.well-known/openid-configuration`.
    public var issuer: String
    public var clientID: String
    /// Where the client secret is read from (a file, or the systemd credential `oidc-<name>-client-secret`).
    public var clientSecretFile: String?
    public var scopes: [String]
    /// The claim holding the user's groups (for organization rules).
    public var groupsClaim: String
    /// Whether this provider's email addresses count as verified when it sends no `email_verified`
    /// (addresses it assigns itself, say); otherwise a missing claim means unverified.
    public var trustEmail: Bool = false

    /// The per-provider keys a configuration may hold.
    public static let keySuffixes = ["ISSUER", "CLIENT_ID", "CLIENT_SECRET_FILE", "SCOPES", "GROUPS_CLAIM", "DISPLAY_NAME", "TRUST_EMAIL"]

    /// `FIREFLY_OIDC_<NAME>_<SUFFIX>`.
    public static func key(_ name: String, _ suffix: String) -> String { "FIREFLY_OIDC_\(name.uppercased())_\(suffix)" }

    /// True for a well-formed per-provider key (`FIREFLY_OIDC_OKTA_ISSUER`).
    public static func isProviderKey(_ key: String) -> Bool {
        guard key.hasPrefix("FIREFLY_OIDC_") else { return false }
        for suffix in keySuffixes where key.hasSuffix("_" + suffix) {
            let name = key.dropFirst("FIREFLY_OIDC_".count).dropLast(suffix.count + 1)
            return !name.isEmpty && name.allSatisfy { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") }
        }
        return false
    }
}
