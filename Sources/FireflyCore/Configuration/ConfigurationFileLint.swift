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
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.drop(while: \.isWhitespace)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            var name = String(line.prefix { $0 != "=" }).trimmingSpaces
            if name.hasPrefix("export ") { name = String(name.dropFirst(7)).trimmingSpaces }
            guard line.contains("=") else {
                throw ConfigurationError(key: "\(path):\(number + 1)", problem: "expected KEY=value")
            }
            if name.hasSuffix("_PASSWORD") || name.hasSuffix("_SECRET") || name.hasSuffix("_KEY") || name.hasSuffix("_TOKEN") {
                throw ConfigurationError(key: name, problem: "secrets are not accepted in the configuration file; give a file path (…_FILE) or a systemd credential instead")
            }
            if name.hasPrefix("FIREFLY_"), !ConfigurationKeys.names.contains(name), !OIDCProviderSettings.isProviderKey(name) {
                throw ConfigurationError(key: name, problem: "unknown key (line \(number + 1) of \(path))")
            }
        }
    }
}
