import FireflySettings
import FoundationEssentials

/// Checks a configuration file before it is parsed: it must exist, and every `FIREFLY_*` key in it
/// must be a known one (a typo would otherwise be silently ignored). Secrets are refused outright.
enum ConfigurationFileLint {
    static func check(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: "--config", problem: "cannot read the configuration file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        for entry in try KeyValueFile.entries(text, path: path) {
            let name = entry.name
            if name.hasSuffix("_PASSWORD") || name.hasSuffix("_SECRET") || name.hasSuffix("_KEY") || name.hasSuffix("_TOKEN") {
                throw ConfigurationError(key: name, problem: "secrets are not accepted in the configuration file; give a file path (…_FILE) or a systemd credential instead")
            }
            if name.hasPrefix("FIREFLY_"), !ConfigurationKeys.names.contains(name), !OIDCProviderSettings.isProviderKey(name) {
                throw ConfigurationError(key: name, problem: "unknown key (line \(entry.line) of \(path))")
            }
        }
    }
}
