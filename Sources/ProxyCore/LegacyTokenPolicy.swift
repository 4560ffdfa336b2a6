import FireflyCrypto
import FoundationEssentials

/// Policy for the seed's plain tokens (the OAuth token alone, sealed without associated data):
/// refused unless enabled, and then only for allowlisted providers, domains and app-name patterns.
public struct LegacyTokenPolicy: Sendable {
    public var enabled: Bool
    public var providers: Set<String>
    public var domains: Set<String>
    /// App-name patterns: exact names, or a prefix ending in `*`.
    public var appPatterns: [String]

    public init(enabled: Bool = false, providers: Set<String> = [], domains: Set<String> = [], appPatterns: [String] = []) {
        self.enabled = enabled
        self.providers = providers
        self.domains = domains
        self.appPatterns = appPatterns
    }

    func allows(_ route: AppProxyRoute) -> Bool {
        enabled && providers.contains(route.cloud) && domains.contains(route.domain)
            && appPatterns.contains { pattern in
                pattern.hasSuffix("*") ? route.appName.hasPrefix(String(pattern.dropLast())) : route.appName == pattern
            }
    }
}
