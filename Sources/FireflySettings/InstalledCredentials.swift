import FoundationEssentials

/// Where an installed host keeps the secrets its systemd units load as credentials
/// (`LoadCredential=…:/etc/firefly/credentials/…`). The services read them from
/// `$CREDENTIALS_DIRECTORY`; an operator's `firefly-admin` in a root shell has none, so it reads
/// the same files from here (root-only: nothing is copied anywhere).
public enum InstalledCredentials {
    public static let directory = "/etc/firefly/credentials"

    /// `environment` with `CREDENTIALS_DIRECTORY` pointing at the installed credentials when it is
    /// unset and that folder can be read (by root).
    public static func environment(_ environment: [String: String], directory: String = directory) -> [String: String] {
        guard environment["CREDENTIALS_DIRECTORY"] == nil, FileManager.default.isReadableFile(atPath: directory),
              (try? FileManager.default.contentsOfDirectory(atPath: directory)) != nil else { return environment }
        var result = environment
        result["CREDENTIALS_DIRECTORY"] = directory
        return result
    }
}
