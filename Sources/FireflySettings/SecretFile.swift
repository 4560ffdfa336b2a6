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
        if let credentialsDirectory, !credentialsDirectory.isEmpty {
            // The credential by its own name, or loaded with the whole installed folder
            // (`LoadCredential=installed:/etc/firefly/credentials` names each file `installed_<file>`).
            for name in [credentialName, directoryCredentialPrefix + credentialName] {
                if let data = FileManager.default.contents(atPath: credentialsDirectory + "/" + name) { return trimmed(data) }
            }
        }
        return nil
    }

    /// How systemd names a file of a folder loaded as credentials with the ID `installed`.
    public static let directoryCredentialPrefix = "installed_"

    /// A key file's content: its non-empty lines that are not `#` comments, one key per line (a key
    /// ring, the first key first); nil when not configured or nothing but comments (a systemd
    /// placeholder credential).
    public static func readKey(explicitPath: String?, explicitKey: String, credentialName: String, credentialsDirectory: String?) throws -> String? {
        guard let text = try read(explicitPath: explicitPath, explicitKey: explicitKey, credentialName: credentialName,
                                  credentialsDirectory: credentialsDirectory) else { return nil }
        let keys = text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        return keys.isEmpty ? nil : keys.joined(separator: "\n")
    }

    private static func trimmed(_ data: Data) -> String? {
        var text = String(decoding: data, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return text.isEmpty ? nil : text
    }
}
