/// Where embedded apps live: every (organization, app) has an origin of its own,
/// `https://{app}--{organization}.{parent}`, so an app's scripts (which run with
/// `allow-same-origin`) can never read another app, or FireFly, with the user's cookies.
/// The parent is the configured app origin, e.g. `https://apps.example.com` (a wildcard DNS name
/// and certificate for `*.apps.example.com`).
public struct AppOrigins: Sendable, Equatable {
    /// `https` (or `http` for a local test set-up).
    public let scheme: String
    /// The wildcard's parent, e.g. `apps.example.com`.
    public let parentHost: String
    /// `:8443`, or empty for the scheme's default port.
    public let portSuffix: String

    /// The separator between the app and the organization in a host label.
    public static let separator = "--"

    /// `parentOrigin`: `scheme://host[:port]`, lower-case, no path; nil for anything else.
    public init?(parentOrigin: String) {
        let lowered = parentOrigin.lowercased()
        guard let schemeEnd = lowered.firstRange(of: "://") else { return nil }
        scheme = String(lowered[..<schemeEnd.lowerBound])
        let authority = lowered[schemeEnd.upperBound...]
        let hostPart = authority.prefix { $0 != ":" }
        let port = authority.dropFirst(hostPart.count)
        guard scheme == "https" || scheme == "http", !hostPart.isEmpty,
              hostPart.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ AppProxyRoute.isDNSLabel(String($0)) }),
              port.isEmpty || (port.count > 1 && port.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }) else { return nil }
        parentHost = String(hostPart)
        portSuffix = String(port)
    }

    /// The host label of an app of an organization; nil when the two do not fit one DNS label
    /// (63 characters) or the organization's slug holds the separator.
    public static func label(app: String, organization: String) -> String? {
        guard AppProxyRoute.isDNSLabel(app), AppProxyRoute.isDNSLabel(organization), !organization.contains(separator) else { return nil }
        let label = app + separator + organization
        return AppProxyRoute.isDNSLabel(label) ? label : nil
    }

    /// The app's host name, e.g. `notebook-123--acme.apps.example.com`.
    public func host(app: String, organization: String) -> String? {
        Self.label(app: app, organization: organization).map { "\($0).\(parentHost)" }
    }

    /// The app's origin, e.g. `https://notebook-123--acme.apps.example.com`.
    public func origin(app: String, organization: String) -> String? {
        host(app: app, organization: organization).map { "\(scheme)://\($0)\(portSuffix)" }
    }

    /// The origin of a host this parent serves (the `Host` field, without a port).
    public func origin(ofHost host: String) -> String { "\(scheme)://\(host)\(portSuffix)" }

    /// The app and organization a request's `Host` names (a port is ignored); nil for any host
    /// that is not exactly one label below the parent with the separator in it.
    public func parse(host field: String) -> (app: String, organization: String)? {
        // Bytes, not characters: this runs for every proxied request. Upper-case is folded; any
        // other byte outside a DNS label fails the label checks.
        var host = Array(field.utf8.prefix { $0 != UInt8(ascii: ":") })
        for index in host.indices where (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(host[index]) { host[index] |= 0x20 }
        let suffix = Array(parentHost.utf8)
        guard host.count > suffix.count + 1, host.suffix(suffix.count).elementsEqual(suffix),
              host[host.count - suffix.count - 1] == UInt8(ascii: ".") else { return nil }
        let label = host[..<(host.count - suffix.count - 1)]
        // The last `--` separates the two (an app name may hold `--`, an organization's slug may not).
        guard let split = label.indices.dropFirst().last(where: { label[$0] == UInt8(ascii: "-") && label[$0 - 1] == UInt8(ascii: "-") }) else {
            return nil
        }
        let app = String(decoding: label[..<(split - 1)], as: UTF8.self), organization = String(decoding: label[(split + 1)...], as: UTF8.self)
        guard AppProxyRoute.isDNSLabel(app), AppProxyRoute.isDNSLabel(organization), app.utf8.count + organization.utf8.count + 2 <= 63 else { return nil }
        return (app, organization)
    }
}
