import FoundationEssentials

/// How to reach PostgreSQL. The password never comes from the configuration itself: it is read
/// from `FIREFLY_DATABASE_PASSWORD_FILE` or the systemd credential `database-password`.
public struct DatabaseSettings: Sendable, Equatable {
    /// libpq connection string or URI, without a password.
    public var url: String
    /// Explicit password file, if configured.
    public var passwordFile: String?
    /// `$CREDENTIALS_DIRECTORY` when systemd passes credentials.
    public var credentialsDirectory: String?
    /// The setting that names the password file (for messages): the pool's or the proxy's.
    public var passwordFileKey: String

    /// The systemd credential name of the password.
    public static let passwordCredential = "database-password"

    public init(url: String, passwordFile: String?, credentialsDirectory: String?,
                urlKey: String = "FIREFLY_DATABASE_URL", passwordFileKey: String = "FIREFLY_DATABASE_PASSWORD_FILE") throws {
        let lowered = url.lowercased()
        if lowered.contains("password=") || Self.uriHasPassword(url) {
            throw ConfigurationError(
                key: urlKey,
                problem: "must not contain a password; put it in \(passwordFileKey) or the systemd credential \(Self.passwordCredential)"
            )
        }
        if let passwordFile, !passwordFile.hasPrefix("/") {
            throw ConfigurationError(key: passwordFileKey, problem: "expected an absolute path, got \"\(passwordFile)\"")
        }
        self.url = url
        self.passwordFile = passwordFile
        self.credentialsDirectory = credentialsDirectory
        self.passwordFileKey = passwordFileKey
    }

    /// Reads the password: the explicit file (which must exist), else the credential if present, else nil.
    public func readPassword() throws -> String? {
        try SecretFile.read(
            explicitPath: passwordFile, explicitKey: passwordFileKey,
            credentialName: Self.passwordCredential, credentialsDirectory: credentialsDirectory
        )
    }

    private static func uriHasPassword(_ url: String) -> Bool {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
              let schemeEnd = url.firstRange(of: "://") else { return false }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        return authority[..<at].contains(":")
    }
}
