import FireflySettings
import Configuration
import FoundationEssentials
import Logging
import SystemPackage

/// Embedding Databricks Apps through the app proxy.
public struct AppProxySettings: Sendable, Equatable {
    public var keyFile: String?
    public var baseURL: String
    public var tokenLifetimeSeconds: Int
    public var domains: Set<String>
    public var credentialsDirectory: String?

    /// The app-proxy key as hex, from the file or the systemd credential `app-proxy-key`; nil when
    /// not configured (no file, or only `#` comment lines).
    public func readKeyHex() throws -> String? {
        try SecretFile.readKey(explicitPath: keyFile, explicitKey: "FIREFLY_APP_PROXY_KEY_FILE", credentialName: "app-proxy-key",
                               credentialsDirectory: credentialsDirectory)
    }
}
