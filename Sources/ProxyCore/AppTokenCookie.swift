import FireflySettings
import FoundationEssentials

/// The token cookie: set on an app's first request, host-only on the app's own origin. Its value
/// is `{token}~{provider}~{domain}`: the app's origin names the app, the cookie the rest of the
/// route the token is bound to, so the app is served at the root of its origin.
public enum AppTokenCookie {
    public static let name = "__Host-firefly_app_token"
    static let separator = "~"
    static let separatorByte = UInt8(ascii: "~")

    /// The cookie value for a route's token.
    public static func value(of route: AppProxyRoute) -> String {
        "\(route.token)\(separator)\(route.provider)\(separator)\(route.domain)"
    }

    /// The route a cookie value names for `appName` and the request's `path` (checked like a URL's).
    public static func route(_ value: String, appName: String, path: String, allowedDomains: Set<String>) throws(AppProxyRoute.Rejection) -> AppProxyRoute {
        let parts = value.utf8.split(separator: separatorByte, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .badToken }
        return try AppProxyRoute.checked(token: String(Substring(parts[0])), provider: String(Substring(parts[1])), domain: String(Substring(parts[2])),
                                         appName: appName, path: path, allowedDomains: allowedDomains)
    }

    /// `Set-Cookie` value carrying `token` for `maxAge` seconds: `__Host-` (no Domain, Path=/,
    /// Secure), so it belongs to the one app origin that set it. With `SameSite=None` (apps on
    /// another site than FireFly's) it is `Partitioned`: browsers that block third-party cookies
    /// (private windows, Safari, Firefox's strict mode) keep it for frames under FireFly's site.
    public static func setCookie(token: String, maxAge: Int, sameSite: String) -> String {
        "\(name)=\(token); Path=/; Max-Age=\(max(0, maxAge)); HttpOnly; Secure; SameSite=\(sameSite)" + (sameSite == "None" ? "; Partitioned" : "")
    }

    /// Every value of the token cookie in the request's `Cookie` headers.
    public static func values(in fields: [HeaderField]) -> [String] {
        var found: [String] = []
        for field in fields where field.name.isField("cookie") {
            for pair in CookiePairs(field.value) where pair.starts(with: namePrefix) {
                found.append(String(decoding: pair.dropFirst(namePrefix.count), as: UTF8.self))
            }
        }
        return found
    }

    /// `name=`, as bytes.
    private static let namePrefix = Array((name + "=").utf8)

    /// True for cookies that are FireFly's own (the token cookie, the session cookie and any other
    /// `firefly…` name): never sent to an app, and never settable by one.
    public static func isFireFlys(_ cookieName: String) -> Bool { isFireFlys(name: cookieName.utf8) }

    /// The same for a name's bytes (compared without ASCII case: cookie names are tokens).
    static func isFireFlys(name: some Collection<UInt8>) -> Bool {
        fireFlyPrefixes.contains { prefix in
            name.count >= prefix.count && zip(name, prefix).allSatisfy { byte, expected in
                byte == expected || ((UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) && byte | 0x20 == expected)
            }
        }
    }

    /// How FireFly's cookie names begin, lower-cased bytes.
    private static let fireFlyPrefixes = ["firefly", "__host-firefly", "__secure-firefly"].map { Array($0.utf8) }
}
