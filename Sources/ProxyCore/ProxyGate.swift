import FireflySettings
import FoundationEssentials

/// Decides what happens to one request arriving at the proxy, before any connection to an app:
/// refuse it, answer it locally (token-to-cookie redirect, CORS preflight), or forward it with
/// these exact fields to this exact host. No I/O, so every rule is unit-tested.
public struct ProxyGate: Sendable {
    /// A request the proxy answers itself.
    public struct LocalAnswer: Sendable, Equatable {
        public let status: Int
        public let fields: [Field]
        public let body: String

        public struct Field: Sendable, Equatable {
            public let name: String
            public let value: String
        }

        init(status: Int, fields: [HeaderField], body: String = "") {
            self.status = status
            self.fields = fields.map { Field(name: $0.name, value: $0.value) }
            self.body = body
        }
    }

    /// A request to forward.
    public struct Forward: Sendable {
        public let app: ProxiedApp
        /// Path and query on the app, e.g. `/api/contents?type=file`.
        public let target: String
        public let fields: [HeaderField]
        public let webSocket: Bool
        /// The allowed CORS origin the request came from, if any.
        public let corsOrigin: String?
        /// For logs: which organization's token (nil for a seed-format token).
        public let organizationID: Int64?
        /// The FireFly session the token lives with: checked before forwarding (nil for a
        /// seed-format token).
        public let session: SessionBinding?
    }

    /// The first use of an embed URL: allowed once, while its session lives. The caller records
    /// the nonce (refused if already recorded), checks the session, then answers with `answer`.
    public struct Redemption: Sendable {
        public let nonce: [UInt8]
        public let session: SessionBinding
        /// Until when the nonce must be remembered (the end of the URL's use).
        public let urlUsableUntil: Double
        let tokenExpiresAt: Double
        let cookieValue: String
        let location: String
        let redirectStatus: Int
        let sameSite: String

        /// The redirect that moves the token into the app origin's cookie, which lives as long as
        /// the token and the session both do.
        public func answer(sessionExpiresAt: Double, now: Double) -> LocalAnswer {
            let maxAge = Int(min(tokenExpiresAt, sessionExpiresAt) - now)
            return LocalAnswer(status: redirectStatus, fields: [
                ("Location", location),
                ("Set-Cookie", AppTokenCookie.setCookie(token: cookieValue, maxAge: maxAge, sameSite: sameSite)),
                ("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"),
            ])
        }
    }

    public enum Decision: Sendable {
        case answer(LocalAnswer)
        case forward(Forward)
        case redeem(Redemption)
    }

    let configuration: ProxyConfiguration
    let envelope: TokenEnvelope

    public init(configuration: ProxyConfiguration) throws {
        self.configuration = configuration
        envelope = try TokenEnvelope(keyHex: configuration.keyHex)
    }

    /// The last cookie token a connection opened: nginx keeps its connections to the proxy, so the
    /// same cookie arrives again and again and is decrypted once per connection, not per request.
    /// The cookie's value is compared as a whole, so a connection's next request skips both the
    /// decryption and the route's checks.
    public struct OpenedToken: Sendable {
        let cookieValue: String
        let route: AppProxyRoute
        let grant: AppProxyGrant
    }

    public func decide(method: String, uri: String, fields: [HeaderField], now: Double) -> Decision {
        var memo: OpenedToken?
        return decide(method: method, uri: uri, fields: fields, now: now, memo: &memo)
    }

    public func decide(method: String, uri: String, fields: [HeaderField], now: Double, memo: inout OpenedToken?) -> Decision {
        func refuse(_ status: Int, _ code: String, _ message: String) -> Decision {
            .answer(Self.errorAnswer(status: status, code: code, message: message, html: Self.wantsHTML(fields)))
        }

        // Origin-form targets only; no encoded slash, backslash or dot segment anywhere in the path.
        guard uri.hasPrefix("/"), uri.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            return refuse(400, "bad_request", "The request target must be a path.")
        }
        let pathBytes = uri.utf8.prefix { $0 != UInt8(ascii: "?") }
        let path = String(Substring(pathBytes))
        let query = uri.utf8.count > pathBytes.count ? String(Substring(uri.utf8.dropFirst(pathBytes.count))) : ""
        if Self.containsEncodedSeparator(pathBytes) {
            return refuse(400, "bad_request", "Encoded slashes and backslashes are not allowed in app paths.")
        }
        if pathBytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).contains(where: Self.isDotSegment) {
            return refuse(400, "bad_request", "Dot segments are not allowed in app paths.")
        }

        // The script of the expired-access page (below): the same on every app origin, no token needed.
        if path == Self.expiredScriptPath, method == "GET" || method == "HEAD" {
            return .answer(LocalAnswer(status: 200, fields: [("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", "public, max-age=3600"),
                                                             ("X-Content-Type-Options", "nosniff")], body: Self.expiredScript))
        }

        // WebSocket is the only upgrade: h2c and anything else is refused.
        var webSocket = false
        if let upgrade = fields.first(where: { $0.name.isField("upgrade") })?.value {
            let connection = ProxiedHeaders.connectionOptions(fields)
            guard upgrade.trimmingSpaces.lowercased() == "websocket", method == "GET", connection.contains("upgrade") else {
                return refuse(400, "upgrade_refused", "Only WebSocket upgrades are proxied.")
            }
            webSocket = true
        }

        // Every app has an origin of its own: the host names the app and the organization.
        let hostField = fields.first { $0.name.isField("host") }?.value ?? ""
        guard let appHost = configuration.appOrigins.parse(host: hostField) else {
            return refuse(404, "not_found", "Apps are served on host names of their own; open the app from FireFly.")
        }
        let requestOrigin = configuration.appOrigins.origin(ofHost: String(Substring(hostField.utf8.prefix { $0 != UInt8(ascii: ":") })).lowercased())

        if CORSPolicy.isPreflight(method: method, fields: fields) {
            let answer = CORSPolicy.preflight(fields: fields, allowed: configuration.corsOrigins)
            return .answer(LocalAnswer(status: answer.status, fields: answer.fields))
        }
        if webSocket {
            let origin = fields.first { $0.name.isField("origin") }?.value.lowercased()
            guard let origin, origin == requestOrigin || configuration.corsOrigins.contains(origin) else {
                return refuse(403, "forbidden", "WebSocket connections are accepted from the app host only.")
            }
        }

        // The app is served at the root of its origin: every path but /app-proxy/ is the app's,
        // with the token (and the rest of its route) from the cookie.
        guard path.hasPrefix(AppProxyRoute.prefix) else {
            let answer = forwardFromCookie(target: (path, query), fields: fields, appHost: appHost, requestOrigin: requestOrigin,
                                           webSocket: webSocket, now: now, memo: &memo)
            return answer ?? refuse(401, "unauthorized", Self.expiredMessage)
        }

        let route: AppProxyRoute
        do {
            route = try AppProxyRoute.parse(rawPath: path, allowedDomains: configuration.appDomains)
        } catch {
            switch error {
            case .notAnAppProxyPath: return refuse(404, "not_found", "Not an app-proxy path.")
            case .badToken: return refuse(401, "unauthorized", Self.expiredMessage)
            case .unknownProvider: return refuse(400, "bad_request", "The provider must be aws, azure or gcp.")
            case .domainNotAllowed: return refuse(403, "forbidden", "This app domain is not allowed.")
            case .badLabel: return refuse(400, "bad_request", "App names are lower-case DNS labels.")
            }
        }
        guard route.appName == appHost.app else { return refuse(403, "forbidden", "This app origin serves another app.") }
        if route.token == Self.earlierPlaceholder {
            // A link of the earlier layout, where the app lived below /app-proxy/_/…: the same page at the root.
            return .answer(LocalAnswer(status: 308, fields: [("Location", route.path + query), ("Cache-Control", "no-store")]))
        }

        // The URL form: valid only for the first use; the token moves into a cookie and the browser
        // is sent to the same path at the app's root, so the token leaves URLs, history and logs.
        let grant: AppProxyGrant
        do {
            grant = try envelope.open(route, now: now, legacy: configuration.legacyTokens)
            try Self.requireOrganization(grant, of: appHost.organization)
        } catch {
            return .answer(error.answer(html: Self.wantsHTML(fields)))
        }
        if let usableUntil = grant.urlUsableUntil, usableUntil < now {
            return refuse(401, "unauthorized", Self.expiredMessage)
        }
        if webSocket { return refuse(401, "unauthorized", "Open the app first; its WebSocket connections use the app's cookie.") }
        let redemption = Redemption(nonce: grant.nonce ?? [], session: grant.session ?? SessionBinding(sessionHash: []),
                                    urlUsableUntil: grant.urlUsableUntil ?? now, tokenExpiresAt: grant.expiresAt ?? now + Double(Self.seedTokenCookieSeconds),
                                    cookieValue: AppTokenCookie.value(of: route), location: route.path + query,
                                    redirectStatus: method == "GET" || method == "HEAD" ? 302 : 307, sameSite: configuration.cookieSameSite)
        guard grant.session != nil, grant.nonce != nil else {
            // A seed-format token (allowlisted): no session to check, no one-time value to record.
            return .answer(redemption.answer(sessionExpiresAt: .infinity, now: now))
        }
        return .redeem(redemption)
    }

    /// A request for the app's own path, authorized by the token cookie; nil without a usable one.
    private func forwardFromCookie(target: (path: String, query: String), fields: [HeaderField], appHost: (app: String, organization: String), requestOrigin: String,
                                   webSocket: Bool, now: Double, memo: inout OpenedToken?) -> Decision? {
        var refusal: EnvelopeRefusal?
        for candidate in AppTokenCookie.values(in: fields) {
            do {
                let route: AppProxyRoute, grant: AppProxyGrant
                // The allowlist is asked again: a reload may have removed the domain since.
                if let memo, memo.cookieValue == candidate, memo.route.appName == appHost.app, configuration.appDomains.contains(memo.route.domain),
                   memo.grant.expiresAt.map({ $0 > now }) ?? true {
                    route = memo.route.with(path: target.path)
                    grant = memo.grant
                } else {
                    guard let checked = try? AppTokenCookie.route(candidate, appName: appHost.app, path: target.path, allowedDomains: configuration.appDomains) else {
                        continue
                    }
                    route = checked
                    grant = try envelope.open(route, now: now, legacy: configuration.legacyTokens)
                    memo = OpenedToken(cookieValue: candidate, route: route, grant: grant)
                }
                try Self.requireOrganization(grant, of: appHost.organization)
                let app = ProxiedApp(route: route, suffix: configuration.appDomainSuffix)
                let upstream = ProxiedHeaders.upstreamRequest(fields, app: app, bearerToken: grant.bearerToken, appOrigin: requestOrigin,
                                                              client: .init(address: Self.clientAddress(fields)), webSocket: webSocket)
                return .forward(Forward(app: app, target: target.path + target.query, fields: upstream, webSocket: webSocket,
                                        corsOrigin: CORSPolicy.allowedOrigin(fields, allowed: configuration.corsOrigins),
                                        organizationID: grant.target?.organizationID, session: grant.session))
            } catch {
                refusal = error
            }
        }
        return refusal.map { .answer($0.answer(html: Self.wantsHTML(fields))) }
    }

    /// A navigation (`Accept: text/html`) gets refusals as a page, API clients as JSON (computed only
    /// for refusals).
    static func wantsHTML(_ fields: [HeaderField]) -> Bool {
        fields.contains { $0.name.isField("accept") && $0.value.lowercased().contains("text/html") }
    }

    /// A bound token opens only on its own organization's app origin.
    static func requireOrganization(_ grant: AppProxyGrant, of organization: String) throws(EnvelopeRefusal) {
        if let target = grant.target, target.organizationSlug != organization {
            throw .forbidden("this app token was issued for another organization's app")
        }
    }

    /// `%2F`, `%5C`, `%00` (any case) or a raw backslash.
    static func containsEncodedSeparator(_ bytes: Substring.UTF8View) -> Bool {
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "\\") { return true }
            guard byte == UInt8(ascii: "%") else { continue }
            let high = iterator.next(), low = iterator.next().map { $0 | 0x20 }
            if (high == UInt8(ascii: "2") && low == UInt8(ascii: "f")) || (high == UInt8(ascii: "5") && low == UInt8(ascii: "c"))
                || (high == UInt8(ascii: "0") && low == UInt8(ascii: "0")) {
                return true
            }
        }
        return false
    }

    /// `.` or `..`, literal or percent-encoded.
    static func isDotSegment(_ segment: Substring.UTF8View.SubSequence) -> Bool {
        var dots = 0
        var index = segment.startIndex
        while index < segment.endIndex {
            if segment[index] == UInt8(ascii: ".") {
                index = segment.index(after: index)
            } else if segment[index] == UInt8(ascii: "%"), segment.distance(from: index, to: segment.endIndex) >= 3,
                      segment[segment.index(index, offsetBy: 1)] == UInt8(ascii: "2"), segment[segment.index(index, offsetBy: 2)] | 0x20 == UInt8(ascii: "e") {
                index = segment.index(index, offsetBy: 3)
            } else {
                return false
            }
            dots += 1
        }
        return dots == 1 || dots == 2
    }

    /// The token segment that stood for "the token is in the cookie" when apps lived below a path.
    static let earlierPlaceholder = "_"

    /// How long the cookie of a seed-format token (no expiry inside) lives: an SPN token's hour.
    static let seedTokenCookieSeconds = 3600
    static let expiredMessage = "This app link has expired or is not valid. Open the app again from FireFly."

    /// The browser's address: the last `X-Forwarded-For` entry, the one nginx appended.
    static func clientAddress(_ fields: [HeaderField]) -> String? {
        guard let value = fields.last(where: { $0.name.isField("x-forwarded-for") })?.value.utf8 else { return nil }
        let last = value.split(separator: UInt8(ascii: ",")).last?.drop { $0 == UInt8(ascii: " ") }
        return last.map { String(Substring($0)) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where the expired-access page loads its script from (on the app's own origin).
    static let expiredScriptPath = "/app-proxy/expired.js"
    /// Tells the FireFly page around the frame that access ended, so it mints a new embed URL and
    /// reloads the frame; the message says nothing else (the page checks the sender's origin).
    static let expiredScript = """
        // FireFly: this app's access has ended; the FireFly page around this frame can open it again.
        if (window.parent !== window) window.parent.postMessage({ type: "firefly-app-expired" }, "*");

        """

    /// A refusal as a small HTML page (for the iframe) or the JSON error envelope. A 401 page tells
    /// the FireFly page around the frame (see ``expiredScript``).
    public static func errorAnswer(status: Int, code: String, message: String, html: Bool) -> LocalAnswer {
        let common: [HeaderField] = [("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"), ("X-Content-Type-Options", "nosniff")]
        if html {
            let script = status == 401 ? "<script src=\"\(expiredScriptPath)\"></script>" : ""
            let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>FireFly app</title>\(script)</head>"
                + "<body style=\"font-family:sans-serif;margin:2em\"><h1>\(status)</h1><p>\(message)</p></body></html>\n"
            let policy: HeaderField = ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; base-uri 'none'")
            return LocalAnswer(status: status, fields: [("Content-Type", "text/html; charset=utf-8"), policy] + common, body: body)
        }
        let body = "{\"error\":{\"code\":\"\(code)\",\"message\":\"\(message)\"}}\n"
        return LocalAnswer(status: status, fields: [("Content-Type", "application/json")] + common, body: body)
    }
}

extension EnvelopeRefusal {
    func answer(html: Bool) -> ProxyGate.LocalAnswer {
        switch self {
        case .unauthorized(let message): ProxyGate.errorAnswer(status: 401, code: "unauthorized", message: message, html: html)
        case .forbidden(let message): ProxyGate.errorAnswer(status: 403, code: "forbidden", message: message, html: html)
        }
    }
}
