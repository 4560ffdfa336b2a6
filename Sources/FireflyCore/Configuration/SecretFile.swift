import FoundationEssentials

/// Reads secrets from files: an explicitly configured path, or a systemd credential
/// (`$CREDENTIALS_DIRECTORY/<name>`). Secrets never come from the configuration file itself.
public enum SecretFile {
    /// The secret's text without a trailing newline, or nil when neither source is configured.
    /// A configured path that cannot be read is an error naming `explicitKey`.
    public static func read(explicitPath: String?, explicitKey: String, credentialName: String, credentialsDirectory: String?) throws -> String? {
        if let explicitPath {
            guard let text = contents(explicitPath) else {
                throw ConfigurationError(key: explicitKey, problem: "cannot read \(explicitPath)")
            }
            return text
        }
        if let credentialsDirectory, !credentialsDirectory.isEmpty {
            return contents(credentialsDirectory + "/" + credentialName)
        }
        return nil
    }

    private static func contents(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return text
    }
}
