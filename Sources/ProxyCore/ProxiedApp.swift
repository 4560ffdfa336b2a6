import FireflySettings
import FoundationEssentials

/// The app one request goes to (served at the root of its own origin).
public struct ProxiedApp: Sendable, Equatable {
    public let provider: String
    public let domain: String
    public let appName: String
    /// The upstream host, `{app}.{provider}.{domain}.{suffix}`.
    public let host: String

    public init(route: AppProxyRoute, suffix: String) {
        provider = route.provider
        domain = route.domain
        appName = route.appName
        host = route.host(suffix: suffix)
    }
}
