import FireflySettings
import FoundationEssentials

/// A header field as a list entry (order and repeats kept).
public typealias HeaderField = (name: String, value: String)

extension String {
    /// Case-insensitive comparison of a field name with a lower-case ASCII name, without allocating.
    @inlinable
    public func isField(_ lowercased: String) -> Bool {
        utf8.count == lowercased.utf8.count && zip(utf8, lowercased.utf8).allSatisfy { byte, expected in
            byte == expected || ((UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) && byte | 0x20 == expected)
        }
    }
}

/// Header rewriting between the browser (via nginx) and an app.
public enum ProxiedHeaders {
    /// Hop-by-hop fields (RFC 9110 §7.6.1) plus the legacy ones proxies must not forward.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
                                        "te", "trailer", "transfer-encoding", "upgrade", "http2-settings"]

    /// Fields whose names mean identity or routing to somebody: the proxy sets its own or none.
    /// `Proxy` is among them (httpoxy: CGI-style apps read it as `HTTP_PROXY`).
    static func isIdentityField(_ lowered: String) -> Bool {
        lowered == "authorization" || lowered == "forwarded" || lowered == "x-real-ip" || lowered == "host"
            || lowered.hasPrefix("x-forwarded-") || lowered == "x-original-url" || lowered == "x-rewrite-url"
            || lowered == "proxy"
    }

    /// A valid field name (RFC 9110 token) without `_`: nginx drops underscored names by default, and
    /// a backend could read `X_Forwarded_User` as `X-Forwarded-User`, so they never pass.
    static func isPlainFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || fieldNameSymbols.contains(byte)
        }
    }

    /// The symbols an RFC 9110 token may hold, without `_` (see ``isPlainFieldName(_:)``).
    private static let fieldNameSymbols = Array("!#$%&'*+-.^`|~".utf8)
    /// The same with `_`, for cookie names.
    private static let cookieNameSymbols = Array("!#$%&'*+-.^_`|~".utf8)

    /// A cookie name: a non-empty RFC 9110 token (underscores allowed, unlike field names here).
    static func isCookieName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || cookieNameSymbols.contains(byte)
        }
    }

    /// Names listed in `Connection` (those fields are hop-by-hop too), lower-cased.
    static func connectionOptions(_ fields: [HeaderField]) -> Set<String> {
        var options: Set<String> = []
        for field in fields where field.name.isField("connection") {
            for option in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                let trimmed = option.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                let end = trimmed.lastIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
                if let end { options.insert(String(Substring(trimmed[...end])).lowercased()) }
            }
        }
        return options
    }

    /// What nginx tells the proxy about the browser's request.
    public struct ClientFacts: Sendable {
        /// The browser's address, as nginx saw it.
        public var address: String?
        public init(address: String?) { self.address = address }
    }

    /// The fields sent to the app: hop-by-hop, identity, FireFly's cookies, `Referer` and any
    /// underscored or malformed names removed; `Host`, the bearer token and `X-Forwarded-*` set.
    /// `Origin` of this app's own origin (`appOrigin`) is replaced by the app's upstream origin (apps
    /// check it against `Host`); any other origin passes as it is.
    public static func upstreamRequest(_ fields: [HeaderField], app: ProxiedApp, bearerToken: String, appOrigin: String,
                                       client: ClientFacts, webSocket: Bool) -> [HeaderField] {
        let options = connectionOptions(fields)
        var result: [HeaderField] = [("Host", app.host)]
        var cookies: [String] = []
        for field in fields {
            let lowered = field.name.lowercased()
            guard isPlainFieldName(field.name), !hopByHop.contains(lowered), !options.contains(lowered), !isIdentityField(lowered),
                  lowered != "referer", lowered != "expect" else { continue }
            switch lowered {
            case "cookie":
                for pair in CookiePairs(field.value) where !AppTokenCookie.isFireFlys(name: pair.prefix { $0 != UInt8(ascii: "=") }) {
                    cookies.append(String(decoding: pair, as: UTF8.self))
                }
            case "origin":
                result.append(("Origin", field.value.lowercased() == appOrigin ? "https://\(app.host)" : field.value))
            default:
                result.append(field)
            }
        }
        if !cookies.isEmpty { result.append(("Cookie", cookies.joined(separator: "; "))) }
        result.append(("Authorization", "Bearer \(bearerToken)"))
        if let address = client.address { result.append(("X-Forwarded-For", address)) }
        result.append(("X-Forwarded-Proto", "https"))
        result.append(("X-Forwarded-Host", app.host))
        if webSocket {
            result.append(("Connection", "Upgrade"))
            result.append(("Upgrade", "websocket"))
        }
        return result
    }

    /// Response fields that never reach the browser: framing and HSTS are the proxy's and nginx's
    /// business, CORS and referrer policy are the proxy's.
    /// `Clear-Site-Data` and `Refresh` would let an app wipe or navigate the browser's state of
    /// the app host as a whole, so they are FireFly's too.
    static let droppedResponseFields: Set<String> = ["x-frame-options", "strict-transport-security", "alt-svc", "referrer-policy",
                                                     "public-key-pins", "expect-ct", "clear-site-data", "refresh"]

    /// The fields sent to the browser: hop-by-hop and framing fields removed, `Location` and
    /// `Set-Cookie` kept on the app origin (and made cross-site with `crossSite`), `frame-ancestors` limited to FireFly's origin,
    /// `Referrer-Policy: no-referrer`, and CORS fields only for `corsOrigin` (an allowed origin).
    public static func clientResponse(_ fields: [HeaderField], app: ProxiedApp, frameAncestors: [String], corsOrigin: String?,
                                      crossSite: Bool = false) -> [HeaderField] {
        let options = connectionOptions(fields)
        var result: [HeaderField] = []
        for field in fields {
            let lowered = field.name.lowercased()
            guard !hopByHop.contains(lowered), !options.contains(lowered), !droppedResponseFields.contains(lowered),
                  !lowered.hasPrefix("access-control-") else { continue }
            switch lowered {
            case "location", "content-location":
                result.append((field.name, rewriteLocation(field.value, app: app)))
            case "set-cookie":
                if let rewritten = rewriteSetCookie(field.value, crossSite: crossSite) { result.append((field.name, rewritten)) }
            case "content-security-policy", "content-security-policy-report-only":
                if let rest = removingFrameAncestors(field.value) { result.append((field.name, rest)) }
            default:
                result.append(field)
            }
        }
        result.append(("Content-Security-Policy", "frame-ancestors \(frameAncestors.joined(separator: " "))"))
        result.append(("Referrer-Policy", "no-referrer"))
        if let corsOrigin {
            result.append(("Access-Control-Allow-Origin", corsOrigin))
            result.append(("Access-Control-Allow-Credentials", "true"))
            result.append(("Vary", "Origin"))
        }
        return result
    }

    /// A redirect to the app itself (absolute URL on its host) becomes a path on the app's origin;
    /// paths and redirects elsewhere (an identity provider, another site) pass unchanged.
    public static func rewriteLocation(_ value: String, app: ProxiedApp) -> String {
        var rest: Substring
        if value.lowercased().hasPrefix("https://") {
            rest = value.dropFirst(8)
        } else if value.lowercased().hasPrefix("http://") {
            rest = value.dropFirst(7)
        } else if value.hasPrefix("//") {
            rest = value.dropFirst(2)
        } else {
            return value  // a path (the app is at the origin's root) or a relative reference
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host = authority.lowercased()
        if host.hasSuffix(":443") { host.removeLast(4) }
        guard host == app.host else { return value }
        rest = rest.dropFirst(authority.count)
        return rest.hasPrefix("/") ? String(rest) : "/" + rest
    }

    /// `Domain` removed (host-only on the app's origin, where the app is served at the root, so its
    /// `Path` stands); nil for a cookie named like FireFly's own. `crossSite` (apps on another site than FireFly's):
    /// the app's cookies could not reach it inside FireFly's frame otherwise, so they become
    /// `SameSite=None; Secure; Partitioned`.
    public static func rewriteSetCookie(_ value: String, crossSite: Bool = false) -> String? {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard let nameValue = parts.first, let equals = nameValue.firstIndex(of: "=") else { return nil }
        // A nameless cookie (`=firefly_app_token=x`) is sent back by browsers as `firefly_app_token=x`:
        // only a proper token name passes.
        let cookieName = String(nameValue[..<equals]).trimmingSpaces
        guard isCookieName(cookieName), !AppTokenCookie.isFireFlys(cookieName) else { return nil }
        var attributes: [String] = [nameValue]
        for attribute in parts.dropFirst() where !attribute.isEmpty {
            let name = attribute.prefix { $0 != "=" }.trimmingSpaces.lowercased()
            switch name {
            case "domain":
                continue
            case _ where crossSite && (name == "samesite" || name == "secure" || name == "partitioned"):
                continue
            default:
                attributes.append(attribute)
            }
        }
        if crossSite { attributes += ["Secure", "SameSite=None", "Partitioned"] }
        return attributes.joined(separator: "; ")
    }

    /// The policy without its `frame-ancestors` directive; nil when nothing else is left.
    static func removingFrameAncestors(_ policy: String) -> String? {
        let kept = policy.split(separator: ";").map { $0.trimmingSpaces }.filter { directive in
            !directive.isEmpty && directive.prefix { $0 != " " }.lowercased() != "frame-ancestors"
        }
        return kept.isEmpty ? nil : kept.joined(separator: "; ")
    }
}

