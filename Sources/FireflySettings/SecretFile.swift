import FoundationEssentials

/// Reads secrets from files: an explicitly configured path, or a systemd credential
/// (`$CREDENTIALS_DIRECTORY/<name>`). Secrets never come from the configuration file itself.
public enum SecretFile {
    /// The secret's text without a trailing newline, or nil when neither source is configured or the
    /// file is empty (e.g. a database reached by peer authentication).
    /// A configured path that cannot be read is an error naming `explicitKey`.
    public static func read(explicitPath: String?, explicitKey: String, credentialName: String, credentialsDirectory: String?) throws -> String? {
        if let explicitPath {
            guard let data = FileManager.default.contents(atPath: explicitPath) else {
                throw ConfigurationError(key: explicitKey, problem: "cannot read \(explicitPath)")
            }
            return trimmed(data)
        }
        if let credentialsDirectory, !credentialsDirectory.isEmpty,
           let data = FileManager.default.contents(atPath: credentialsDirectory + "/" + credentialName) {
            return trimmed(data)
        }
        return nil
    }

    private static func trimmed(_ data: Data) -> String? {
        var text = String(decoding: data, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return text.isEmpty ? nil : text
    }
}
