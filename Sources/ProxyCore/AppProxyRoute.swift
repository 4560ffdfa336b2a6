/// The target named by an app-proxy path:
/// `/app-proxy/{token}/{provider}/{domain}/{app_name}/{path…}` →
/// `https://{app_name}.{provider}.{domain}.{suffix}/{path}`.
/// Every name segment must be a plain DNS label, so no path can steer the proxy to another host —
/// except that the provider may carry a numeric zone before the cloud, as Azure's app hosts do
/// (`{app}.{n}.azure.databricksapps.com`: provider `{n}.azure`).
public struct AppProxyRoute: Sendable, Equatable {
    /// The sealed token segment, still encrypted.
    public let token: String
    /// `aws`, `azure` or `gcp`, or a zone and one of them (`2.azure`).
    public let provider: String
    /// The allowlisted domain label, e.g. `databricksapps`.
    public let domain: String
    /// The app's DNS label.
    public let appName: String
    /// The rest of the path (starting with `/`), still percent-encoded as received.
    public let path: String

    /// Why a path was refused.
    public enum Rejection: Error, Sendable, Equatable {
        case notAnAppProxyPath
        case badToken
        case unknownProvider(String)
        case domainNotAllowed(String)
        case badLabel(String)
    }

    /// Providers Databricks Apps run on.
    public static let providers: Set<String> = ["aws", "azure", "gcp"]

    /// Where the proxy's own paths start on an app origin (everything else is the app's).
    public static let prefix = "/app-proxy/"

    /// Parses a raw (still percent-encoded) request path.
    public static func parse(rawPath: String, allowedDomains: Set<String>) throws(Rejection) -> AppProxyRoute {
        guard rawPath.hasPrefix(prefix) else { throw .notAnAppProxyPath }
        let parts = rawPath.utf8.dropFirst(prefix.utf8.count).split(separator: UInt8(ascii: "/"), maxSplits: 4, omittingEmptySubsequences: false)
            .map { String(Substring($0)) }
        guard parts.count >= 4 else { throw .notAnAppProxyPath }
        return try checked(token: parts[0], provider: parts[1], domain: parts[2], appName: parts[3],
                           path: parts.count == 5 ? "/" + parts[4] : "/", allowedDomains: allowedDomains)
    }

    /// A route from its parts, each checked as ``parse(rawPath:allowedDomains:)`` checks a path's.
    public static func checked(token: String, provider: String, domain: String, appName: String, path: String,
                               allowedDomains: Set<String>) throws(Rejection) -> AppProxyRoute {
        guard !token.isEmpty, token.utf8.allSatisfy(isBase64URLByte) else { throw .badToken }
        guard isProvider(provider) else { throw .unknownProvider(provider) }
        guard isDNSLabel(domain), allowedDomains.contains(domain) else { throw .domainNotAllowed(domain) }
        guard isDNSLabel(appName) else { throw .badLabel(appName) }
        return AppProxyRoute(token: token, provider: provider, domain: domain, appName: appName, path: path)
    }

    /// The same route for another path on the app (the token cookie serves every path).
    public func with(path: String) -> AppProxyRoute {
        AppProxyRoute(token: token, provider: provider, domain: domain, appName: appName, path: path)
    }

    /// `aws`, `azure` or `gcp`, optionally after a numeric zone label of up to 6 digits (`2.azure`).
    public static func isProvider(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let cloud = labels.last, providers.contains(String(cloud)) else { return false }
        switch labels.count {
        case 1: return true
        case 2: return (1...6).contains(labels[0].count) && labels[0].utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        default: return false
        }
    }

    /// The cloud alone (`azure` for `2.azure`).
    public var cloud: String { provider.split(separator: ".").last.map(String.init) ?? provider }

    /// The upstream host name.
    public func host(suffix: String) -> String {
        "\(appName).\(provider).\(domain).\(suffix)"
    }

    /// A DNS label: 1–63 of `a-z`, `0-9`, `-`, not starting or ending with `-` (lower-case only:
    /// upper-case or any escape, dot, `@`, `:` or non-ASCII byte is refused, not normalised).
    public static func isDNSLabel(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isBase64URLByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "=")
    }
}
