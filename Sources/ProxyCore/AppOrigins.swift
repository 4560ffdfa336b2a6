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
        let host = field.lowercased().prefix { $0 != ":" }
        let suffix = "." + parentHost
        guard host.hasSuffix(suffix) else { return nil }
        let label = String(host.dropLast(suffix.count))
        guard AppProxyRoute.isDNSLabel(label), let split = label.ranges(of: Self.separator).last else { return nil }
        let app = String(label[..<split.lowerBound]), organization = String(label[split.upperBound...])
        guard AppProxyRoute.isDNSLabel(app), AppProxyRoute.isDNSLabel(organization) else { return nil }
        return (app, organization)
    }
}
