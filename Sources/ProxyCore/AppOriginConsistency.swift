import FireflySettings

/// The app host is named in three places: the pool's `FIREFLY_APP_PROXY_BASE_URL` (embed URLs),
/// the proxy's `FIREFLY_PROXY_APP_ORIGIN` (the cookie and the origins it serves), and nginx's site
/// (`server_name .apps…` and the `frame-src` of FireFly's CSP). FireFly's own origin is named twice:
/// `FIREFLY_PUBLIC_URL` and `FIREFLY_PROXY_FRAME_ANCESTORS`. A config test compares them and names
/// every mismatch, so a host never half-works (embeds minted for one origin, served on another).
public enum AppOriginConsistency {
    /// The problems found; empty when everything agrees. `proxyFile` and `nginxSite` are the text
    /// of those files when they are on this host.
    public static func problems(appProxyBaseURL: String, publicOrigin: String, proxyFile: [String: String]?, nginxSite: String?) -> [String] {
        let base = normalized(appProxyBaseURL)
        guard !base.isEmpty else { return [] }
        var problems: [String] = []
        if let proxyFile {
            let proxyOrigin = normalized(proxyFile["FIREFLY_PROXY_APP_ORIGIN"] ?? "")
            if proxyOrigin != base {
                problems.append("FIREFLY_APP_PROXY_BASE_URL is \(base) but the proxy's FIREFLY_PROXY_APP_ORIGIN is \(proxyOrigin.isEmpty ? "not set" : proxyOrigin): set both to the same origin")
            }
            let ancestors = (proxyFile["FIREFLY_PROXY_FRAME_ANCESTORS"] ?? "").split(separator: ",").map { normalized(String($0)) }
            if !ancestors.contains(normalized(publicOrigin)) {
                problems.append("the proxy's FIREFLY_PROXY_FRAME_ANCESTORS does not name FireFly's origin \(normalized(publicOrigin)) (FIREFLY_PUBLIC_URL): apps could not be framed")
            }
        }
        if let nginxSite, let host = host(of: base) {
            let words = nginxSite.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == ";" || $0 == "\"" || $0 == "'" })
            if !words.contains(where: { $0 == "." + host || $0 == "*." + host }) {
                problems.append("nginx's site has no server_name .\(host) (the app host of FIREFLY_APP_PROXY_BASE_URL): app origins would reach the wrong server")
            }
            if !words.contains(where: { $0.hasPrefix("https://*." + host) }) {
                problems.append("nginx's Content-Security-Policy has no frame-src https://*.\(host): browsers would refuse to show apps")
            }
        }
        return problems
    }

    /// Lower-cased, without trailing slashes.
    static func normalized(_ text: String) -> String {
        var value = text.trimmingSpaces.lowercased()
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// The host of `https://host[:port]`.
    static func host(of origin: String) -> String? {
        let parts = origin.split(separator: "/")
        guard parts.count >= 2, parts[0].hasSuffix(":") else { return nil }
        let host = parts[1].prefix { $0 != ":" }
        return host.isEmpty ? nil : String(host)
    }
}
