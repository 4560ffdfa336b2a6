import FireflyCrypto
import FireflySettings
import FoundationEssentials
import ProxyCore
import Testing

@Suite("App-proxy rules (ProxyCore): addresses, headers, the gate, configuration")
struct ProxyRulesTests {
    let keyHex = String(repeating: "ab", count: 32)
    let now = 1_800_000_000.0

    func configuration(_ extra: [String: String] = [:]) throws -> ProxyConfiguration {
        try ProxyConfiguration(fileValues: [
            "FIREFLY_PROXY_APP_ORIGIN": "https://apps.example.com", "FIREFLY_PROXY_FRAME_ANCESTORS": "https://firefly.example.com",
            "FIREFLY_PROXY_CORS_ORIGINS": "https://firefly.example.com", "FIREFLY_PROXY_DATABASE_URL": "host=/run/postgresql dbname=firefly",
        ].merging(extra) { $1 }, environment: ["ENCRYPTION_KEY": keyHex])
    }

    let session = SessionBinding(sessionHash: Array(repeating: 5, count: 32))

    func token(app: String = "vscode", organization: String = "acme", expires: Double = 3600, urlFor: Double = 300) throws -> String {
        try TokenEnvelope(keyHex: keyHex).seal(bearerToken: "dapi-spn",
                                               target: AppTarget(organizationID: 3, organizationSlug: organization, provider: "aws", domain: "databricksapps", appName: app),
                                               session: session, nonce: Array(repeating: 1, count: 16), expiresAt: now + expires, urlUsableUntil: now + urlFor)
    }

    @Test("only public unicast addresses, also behind IPv6 wrappings")
    func addresses() {
        for text in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                     "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                     "64:ff9b::a9fe:a9fe", "2002:7f00:0001::1", "ff02::1", "2001:db8::1"] {
            let bytes = AddressPolicy.parse(text)
            #expect(bytes != nil, "\(text) did not parse")
            #expect(bytes.map(AddressPolicy.isPublic) == false, "\(text) counted as public")
        }
        for text in ["52.10.20.30", "8.8.8.8", "172.32.0.1", "2600:1f18::1", "::ffff:52.1.2.3"] {
            #expect(AddressPolicy.parse(text).map(AddressPolicy.isPublic) == true, "\(text)")
        }
        for text in ["127.1", "0127.0.0.1", "1.2.3.256", "example.com", "1::2::3", "fe80::1%eth0", ""] {
            #expect(AddressPolicy.parse(text) == nil, "\(text) parsed")
        }
    }

    @Test("request fields: identity, hop-by-hop, underscored and FireFly's cookies removed; bearer and forwarding set")
    func requestFields() throws {
        let route = try AppProxyRoute.parse(rawPath: "/app-proxy/_/aws/databricksapps/vscode/x", allowedDomains: ["databricksapps"])
        let app = ProxiedApp(route: route, suffix: "com")
        let out = ProxiedHeaders.upstreamRequest([
            ("Host", "apps.example.com"), ("Authorization", "Bearer mine"), ("X-Forwarded-User", "root"), ("x-FORWARDED-email", "a@b"),
            ("X_Forwarded_User", "root"), ("Forwarded", "for=1.2.3.4"), ("X-Real-IP", "1.2.3.4"), ("Connection", "keep-alive, X-Secret"),
            ("X-Secret", "hop"), ("Keep-Alive", "5"), ("TE", "trailers"), ("Proxy-Authorization", "Basic x"), ("Referer", "https://apps/"),
            ("Cookie", "firefly_app_token=t; theme=dark; __Host-firefly_session=s"), ("Cookie", "lang=en"), ("Accept", "text/html"),
            ("Origin", "https://vscode--acme.apps.example.com"), ("Expect", "100-continue"), ("Proxy", "http://evil.example:3128"),
        ], app: app, bearerToken: "dapi-spn", appOrigin: "https://vscode--acme.apps.example.com", client: .init(address: "203.0.113.9"), webSocket: false)
        let names = out.map { $0.name.lowercased() }
        #expect(Set(names) == ["host", "accept", "origin", "cookie", "authorization", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"])
        #expect(out.first { $0.name == "Host" }?.value == "vscode.aws.databricksapps.com")
        #expect(out.filter { $0.name.lowercased() == "authorization" }.map(\.value) == ["Bearer dapi-spn"])
        #expect(out.first { $0.name == "Cookie" }?.value == "theme=dark; lang=en")
        #expect(out.first { $0.name == "Origin" }?.value == "https://vscode.aws.databricksapps.com")
        #expect(out.first { $0.name == "X-Forwarded-For" }?.value == "203.0.113.9")
        // Another app's origin is not rewritten: the app sees who really calls it.
        let foreign = ProxiedHeaders.upstreamRequest([("Origin", "https://notebook--acme.apps.example.com")], app: app, bearerToken: "t",
                                                     appOrigin: "https://vscode--acme.apps.example.com", client: .init(address: nil), webSocket: false)
        #expect(foreign.first { $0.name == "Origin" }?.value == "https://notebook--acme.apps.example.com")
    }

    @Test("cookies to the app: FireFly's removed whatever their case, spacing and order; the app's kept byte for byte")
    func cookiesToTheApp() throws {
        let route = try AppProxyRoute.parse(rawPath: "/app-proxy/_/aws/databricksapps/vscode/x", allowedDomains: ["databricksapps"])
        let out = ProxiedHeaders.upstreamRequest([
            ("Cookie", ";;  FireFly_csrf=1;theme=dark ;  __HOST-FIREFLY_session=s; __Secure-fireflyX=2; lang=fr-Ç; =v; fire=1; __Host-app=ok"),
            ("cookie", "__host-firefly_app_token=t~aws~databricksapps"),
        ], app: ProxiedApp(route: route, suffix: "com"), bearerToken: "t", appOrigin: "https://vscode--acme.apps.example.com",
           client: .init(address: nil), webSocket: false)
        #expect(out.filter { $0.name == "Cookie" }.map(\.value) == ["theme=dark ; lang=fr-Ç; =v; fire=1; __Host-app=ok"])
        let onlyFireFlys = ProxiedHeaders.upstreamRequest([("Cookie", "firefly_app_token=t; __Host-firefly_session=s")],
                                                          app: ProxiedApp(route: route, suffix: "com"), bearerToken: "t",
                                                          appOrigin: "https://vscode--acme.apps.example.com", client: .init(address: nil), webSocket: false)
        #expect(!onlyFireFlys.contains { $0.name == "Cookie" })
        // The token cookie's values, in every Cookie field, exact name only.
        #expect(AppTokenCookie.values(in: [("Cookie", "a=1;__Host-firefly_app_token=one~aws~x; __host-firefly_app_token=no"),
                                           ("COOKIE", " __Host-firefly_app_token=two~aws~x"), ("X-Cookie", "__Host-firefly_app_token=no")])
            == ["one~aws~x", "two~aws~x"])
    }

    @Test("response fields: Location and Set-Cookie kept on the app origin, framing and CORS are the proxy's")
    func responseFields() throws {
        let route = try AppProxyRoute.parse(rawPath: "/app-proxy/t/aws/databricksapps/vscode/", allowedDomains: ["databricksapps"])
        let app = ProxiedApp(route: route, suffix: "com")
        #expect(ProxiedHeaders.rewriteLocation("https://vscode.aws.databricksapps.com:443/a?b=1", app: app) == "/a?b=1")
        #expect(ProxiedHeaders.rewriteLocation("https://VSCODE.aws.databricksapps.com", app: app) == "/")
        #expect(ProxiedHeaders.rewriteLocation("/login", app: app) == "/login")
        #expect(ProxiedHeaders.rewriteLocation("//vscode.aws.databricksapps.com/x", app: app) == "/x")
        #expect(ProxiedHeaders.rewriteLocation("https://login.microsoftonline.com/x", app: app) == "https://login.microsoftonline.com/x")
        #expect(ProxiedHeaders.rewriteLocation("https://vscode.aws.databricksapps.com.evil.com/", app: app) == "https://vscode.aws.databricksapps.com.evil.com/")
        #expect(ProxiedHeaders.rewriteLocation("next", app: app) == "next")
        #expect(ProxiedHeaders.rewriteSetCookie("s=1; Domain=.databricksapps.com; Path=/; Secure; SameSite=None")
            == "s=1; Path=/; Secure; SameSite=None")
        #expect(ProxiedHeaders.rewriteSetCookie("s=1") == "s=1")
        #expect(ProxiedHeaders.rewriteSetCookie("firefly_app_token=forged; Path=/") == nil)
        #expect(ProxiedHeaders.rewriteSetCookie("__Host-firefly_session=x; Path=/") == nil)
        #expect(ProxiedHeaders.rewriteSetCookie("__Host-firefly_app_token=forged; Path=/") == nil)
        // Nameless cookies come back from browsers as `firefly_app_token=x`: never passed.
        #expect(ProxiedHeaders.rewriteSetCookie("=firefly_app_token=x; Path=/") == nil)
        #expect(ProxiedHeaders.rewriteSetCookie(" =x") == nil)
        #expect(ProxiedHeaders.rewriteSetCookie("_xsrf=2|a; Path=/") == "_xsrf=2|a; Path=/")
        // Apps on another site than FireFly's: cookies the frame can keep where third-party ones are blocked.
        #expect(ProxiedHeaders.rewriteSetCookie("_xsrf=2|a; Path=/; SameSite=Lax; secure", crossSite: true)
            == "_xsrf=2|a; Path=/; Secure; SameSite=None; Partitioned")
        #expect(AppTokenCookie.setCookie(token: "t", maxAge: 60, sameSite: "None")
            == "__Host-firefly_app_token=t; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=None; Partitioned")
        #expect(!AppTokenCookie.setCookie(token: "t", maxAge: 60, sameSite: "Lax").contains("Partitioned"))
        let out = ProxiedHeaders.clientResponse([
            ("Content-Type", "text/html"), ("X-Frame-Options", "DENY"), ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
            ("Access-Control-Allow-Origin", "*"), ("Transfer-Encoding", "chunked"), ("Connection", "close"), ("Strict-Transport-Security", "max-age=1"),
            ("Referrer-Policy", "unsafe-url"), ("Clear-Site-Data", "\"cookies\", \"storage\""), ("Refresh", "0; url=https://evil.example/"),
        ], app: app, frameAncestors: ["https://firefly.example.com"], corsOrigin: nil)
        #expect(out.map { "\($0.name): \($0.value)" } == [
            "Content-Type: text/html", "Content-Security-Policy: default-src 'self'",
            "Content-Security-Policy: frame-ancestors https://firefly.example.com", "Referrer-Policy: no-referrer",
        ])
        let cors = ProxiedHeaders.clientResponse([], app: app, frameAncestors: ["https://f"], corsOrigin: "https://firefly.example.com")
        #expect(cors.contains { $0.name == "Access-Control-Allow-Origin" && $0.value == "https://firefly.example.com" })
        #expect(cors.contains { $0.name == "Access-Control-Allow-Credentials" && $0.value == "true" })
    }

    @Test("the gate: URL token → one-time redemption; cookie → forward with its session; refusals with the right status")
    func gate() throws {
        let gate = try ProxyGate(configuration: try configuration())
        let bound = try token()
        let host: HeaderField = ("Host", "vscode--acme.apps.example.com")
        func decideWith(_ method: String, _ uri: String, _ fields: [HeaderField] = [], on hostField: HeaderField? = nil) -> ProxyGate.Decision {
            gate.decide(method: method, uri: uri, fields: [hostField ?? host] + fields, now: now)
        }
        func decide(_ uri: String, _ fields: [HeaderField] = [], on hostField: HeaderField? = nil) -> ProxyGate.Decision {
            decideWith("GET", uri, fields, on: hostField)
        }
        func status(_ decision: ProxyGate.Decision) -> Int {
            switch decision { case .answer(let answer): answer.status; case .forward: 0; case .redeem: 1 }
        }
        guard case .redeem(let redemption) = decide("/app-proxy/\(bound)/aws/databricksapps/vscode/edit?f=1") else { Issue.record("no redemption"); return }
        #expect(redemption.session == session)
        #expect(redemption.nonce == Array(repeating: 1, count: 16))
        #expect(redemption.urlUsableUntil == now + 300)
        // The cookie lives as long as the token and the session both do: here the session ends first.
        let redirect = redemption.answer(sessionExpiresAt: now + 1200, now: now)
        #expect(redirect.status == 302)
        #expect(redirect.fields.first { $0.name == "Location" }?.value == "/edit?f=1")
        let setCookie = try #require(redirect.fields.first { $0.name == "Set-Cookie" }?.value)
        #expect(setCookie == "__Host-firefly_app_token=\(bound)~aws~databricksapps; Path=/; Max-Age=1200; HttpOnly; Secure; SameSite=Lax")
        #expect(redemption.answer(sessionExpiresAt: now + 86_400, now: now).fields.contains { $0.value.contains("Max-Age=3600;") })
        guard case .redeem(let post) = decideWith("POST", "/app-proxy/\(bound)/aws/databricksapps/vscode/api") else { Issue.record("POST"); return }
        #expect(post.answer(sessionExpiresAt: now + 60, now: now).status == 307)

        let cookie: HeaderField = ("Cookie", "a=1; __Host-firefly_app_token=\(bound)~aws~databricksapps")
        guard case .forward(let forward) = decide("/edit?f=1", [cookie]) else {
            Issue.record("cookie form not forwarded"); return
        }
        #expect(forward.app.host == "vscode.aws.databricksapps.com")
        #expect(forward.target == "/edit?f=1")
        #expect(forward.organizationID == 3)
        #expect(forward.session == session)
        #expect(forward.fields.contains { $0.name == "Authorization" && $0.value == "Bearer dapi-spn" })

        // One origin per app: the host must name this app of this token's organization.
        #expect(status(decide("/", [cookie], on: ("Host", "notebook--acme.apps.example.com"))) == 403)
        #expect(status(decide("/", [cookie], on: ("Host", "vscode--other.apps.example.com"))) == 403)
        #expect(status(decide("/app-proxy/\(bound)/aws/databricksapps/vscode/", on: ("Host", "vscode--other.apps.example.com"))) == 403)
        #expect(status(decide("/", [cookie], on: ("Host", "apps.example.com"))) == 404)
        #expect(status(decide("/", [cookie], on: ("Host", "vscode--acme.evil.example"))) == 404)
        #expect(status(decide("/", [cookie], on: ("Host", "x.vscode--acme.apps.example.com"))) == 404)

        #expect(status(decide("/")) == 401)
        #expect(status(decide("/app-proxy/\(try token(urlFor: -1))/aws/databricksapps/vscode/")) == 401)
        #expect(status(decide("/", [("Cookie", "__Host-firefly_app_token=\(try token(urlFor: -1))~aws~databricksapps")])) == 0)
        #expect(status(decide("/", [("Cookie", "__Host-firefly_app_token=\(try token(expires: -1))~aws~databricksapps")])) == 401)
        #expect(status(decide("/app-proxy/\(bound)/aws/databricksapps/attacker/", on: ("Host", "attacker--acme.apps.example.com"))) == 403)
        #expect(status(decide("/app-proxy/\(bound)/aws/databricksapps/attacker/")) == 403)
        #expect(status(decide("/app-proxy/\(bound)/aws/otherdomain/vscode/")) == 403)
        #expect(status(decide("/app-proxy/\(bound)/onprem/databricksapps/vscode/")) == 400)
        #expect(status(decide("/app-proxy/\(bound)/aws/databricksapps/vs.code/")) == 400)
        #expect(status(decide("/app-proxy/\(bound)/aws/databricksapps/vscode/a%2Fb")) == 400)
        #expect(status(decide("/app-proxy/\(bound)/aws/databricksapps/vscode/a/%2E%2E/b")) == 400)
        #expect(status(decide("https://evil.example/app-proxy/_/aws/databricksapps/vscode/")) == 400)
        #expect(status(decide("/other")) == 401)
        // A link of the earlier layout (the app below /app-proxy/_/…) moves to the root.
        guard case .answer(let moved) = decide("/app-proxy/_/aws/databricksapps/vscode/edit?f=1") else { Issue.record("earlier layout"); return }
        #expect(moved.status == 308)
        #expect(moved.fields.first { $0.name == "Location" }?.value == "/edit?f=1")
        // The cookie's route is the token's: another provider is refused, a domain not allowed or no route opens nothing.
        #expect(status(decide("/", [("Cookie", "__Host-firefly_app_token=\(bound)~azure~databricksapps")])) == 403)
        #expect(status(decide("/", [("Cookie", "__Host-firefly_app_token=\(bound)~aws~evil")])) == 401)
        #expect(status(decide("/", [("Cookie", "__Host-firefly_app_token=\(bound)")])) == 401)

        let socket: [HeaderField] = [("Connection", "Upgrade"), ("Upgrade", "websocket"), cookie]
        #expect(status(decide("/ws", socket + [("Origin", "https://vscode--acme.apps.example.com")])) == 0)
        #expect(status(decide("/ws", socket + [("Origin", "https://notebook--acme.apps.example.com")])) == 403)
        #expect(status(decide("/ws", socket + [("Origin", "https://apps.example.com")])) == 403)
        #expect(status(decide("/ws", socket + [("Origin", "https://evil.example")])) == 403)
        #expect(status(decide("/ws", socket)) == 403)
        #expect(status(decide("/", [("Connection", "Upgrade"), ("Upgrade", "h2c")])) == 400)

        let preflight: [HeaderField] = [("Origin", "https://firefly.example.com"), ("Access-Control-Request-Method", "PUT"),
                                        ("Access-Control-Request-Headers", "content-type, authorization")]
        guard case .answer(let allowed) = decideWith("OPTIONS", "/api", preflight) else { Issue.record("preflight"); return }
        #expect(allowed.status == 204)
        #expect(allowed.fields.first { $0.name == "Access-Control-Allow-Headers" }?.value == "content-type")
        #expect(status(decideWith("OPTIONS", "/api", [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET")])) == 403)
    }

    @Test("a connection's opened cookie is reused only for the same cookie on the same app, and not once it expired")
    func openedTokenMemo() throws {
        let gate = try ProxyGate(configuration: try configuration())
        let vscode = try token(), notebook = try token(app: "notebook", expires: 60)
        func cookie(_ token: String) -> HeaderField { ("Cookie", "__Host-firefly_app_token=\(token)~aws~databricksapps") }
        var memo: ProxyGate.OpenedToken?
        func forwarded(_ path: String, _ cookieField: HeaderField, host: String, at time: Double? = nil) -> ProxyGate.Forward? {
            guard case .forward(let forward) = gate.decide(method: "GET", uri: path, fields: [("Host", host), cookieField], now: time ?? now, memo: &memo) else { return nil }
            return forward
        }
        #expect(forwarded("/a", cookie(vscode), host: "vscode--acme.apps.example.com")?.target == "/a")
        #expect(memo != nil)
        // The next request on the connection: the same grant, this request's path.
        let again = try #require(forwarded("/b?x=1", cookie(vscode), host: "vscode--acme.apps.example.com"))
        #expect(again.target == "/b?x=1")
        #expect(again.app.host == "vscode.aws.databricksapps.com")
        // The remembered cookie never serves another app's origin or another organization's.
        #expect(forwarded("/", cookie(vscode), host: "notebook--acme.apps.example.com") == nil)
        #expect(forwarded("/", cookie(vscode), host: "vscode--other.apps.example.com") == nil)
        // Another cookie is opened afresh (and remembered instead); a changed route in it is checked afresh.
        #expect(forwarded("/", cookie(notebook), host: "notebook--acme.apps.example.com")?.app.host == "notebook.aws.databricksapps.com")
        #expect(forwarded("/", ("Cookie", "__Host-firefly_app_token=\(notebook)~gcp~databricksapps"), host: "notebook--acme.apps.example.com") == nil)
        #expect(forwarded("/", ("Cookie", "__Host-firefly_app_token=\(notebook)~aws~elsewhere"), host: "notebook--acme.apps.example.com") == nil)
        // After a reload that no longer allows the cookie's domain, the remembered cookie opens nothing.
        #expect(forwarded("/", cookie(notebook), host: "notebook--acme.apps.example.com") != nil)
        let narrowed = try ProxyGate(configuration: try configuration(["FIREFLY_PROXY_APP_DOMAINS": "otherapps"]))
        guard case .answer(let refused) = narrowed.decide(method: "GET", uri: "/", fields: [("Host", "notebook--acme.apps.example.com"), cookie(notebook)],
                                                          now: now, memo: &memo) else {
            Issue.record("a removed domain still forwarded"); return
        }
        #expect(refused.status == 401)
        // Once the token expired, the remembered grant is not used: the envelope refuses it.
        #expect(forwarded("/", cookie(notebook), host: "notebook--acme.apps.example.com", at: now + 61) == nil)
    }

    @Test("app origins: one label per (app, organization) below the parent; anything else is not an app host")
    func appOrigins() throws {
        let origins = try #require(AppOrigins(parentOrigin: "https://apps.example.com:8443"))
        #expect(origins.origin(app: "notebook-123", organization: "acme") == "https://notebook-123--acme.apps.example.com:8443")
        #expect(origins.parse(host: "notebook-123--acme.apps.example.com")! == ("notebook-123", "acme"))
        #expect(origins.parse(host: "a--b--acme.apps.example.com:8443")! == ("a--b", "acme"))
        for host in ["apps.example.com", "notebook.apps.example.com", "--acme.apps.example.com", "x--.apps.example.com",
                     "a.b--acme.apps.example.com", "a--acme.apps.example.com.evil", "a--acme.xapps.example.com"] {
            #expect(origins.parse(host: host) == nil, "\(host)")
        }
        // Hosts are parsed as bytes: upper-case folds, anything else outside a DNS label is refused
        // (a Kelvin sign is not a `k`), and the label as a whole keeps DNS's 63 bytes.
        #expect(origins.parse(host: "VSCode--ACME.Apps.Example.com")! == ("vscode", "acme"))
        let long = String(repeating: "a", count: 40) + "--" + String(repeating: "b", count: 22)
        #expect(origins.parse(host: long + ".apps.example.com") == nil)
        #expect(origins.parse(host: String(long.dropLast()) + ".apps.example.com") != nil)
        for host in ["\u{212A}ernel--acme.apps.example.com", "a---acme.apps.example.com", "a--acme-.apps.example.com", "a--acme..apps.example.com",
                     "a--b_c.apps.example.com", "a--acme.apps.example.co", ".apps.example.com", ""] {
            #expect(origins.parse(host: host) == nil, "\(host)")
        }
        #expect(AppOrigins.label(app: "a", organization: "x--y") == nil)
        #expect(AppOrigins.label(app: String(repeating: "a", count: 40), organization: String(repeating: "b", count: 30)) == nil)
        #expect(AppOrigins(parentOrigin: "https://apps.example.com/path") == nil)
        #expect(AppOrigins(parentOrigin: "ftp://apps.example.com") == nil)
    }

    @Test("session checks: trusted for the interval (or until the session ends), forgotten when gone, bounded in size")
    func sessionChecks() {
        var cache = SessionCheckCache(interval: 5, capacity: 3)
        let a = SessionBinding(sessionHash: [1]), b = SessionBinding(sessionHash: [2])
        #expect(!cache.isFresh(a, now: 100))
        cache.recordAlive(a, now: 100, sessionExpiresAt: 1000)
        #expect(cache.isFresh(a, now: 104.9))
        #expect(!cache.isFresh(a, now: 105))
        cache.recordAlive(b, now: 100, sessionExpiresAt: 102)
        #expect(!cache.isFresh(b, now: 102))
        cache.forget(a)
        #expect(!cache.isFresh(a, now: 101))
        for index in 0..<10 { cache.recordAlive(SessionBinding(sessionHash: [UInt8(10 + index)]), now: 200, sessionExpiresAt: 1000) }
        #expect(cache.count <= 3)
    }

    @Test("configuration: defaults, seed names, and every bad value stops start-up naming its key")
    func configurationRules() throws {
        let settings = try configuration()
        #expect(settings.listener == .tcp(host: "127.0.0.1", port: 8090))
        #expect(settings.appDomainSuffix == "com")
        #expect(settings.appDomains == ["databricksapps"])
        let socket = try configuration(["FIREFLY_PROXY_LISTEN_SOCKET": "/run/p.sock", "FIREFLY_PROXY_RESOLVE": "a.aws.x.com:443=10.0.0.5, b.aws.x.com:443=[::1]:8443"])
        #expect(socket.listener == .unixSocket(path: "/run/p.sock", mode: 0o660))
        #expect(socket.resolveOverrides["b.aws.x.com:443"] == .init(address: "::1", port: 8443))
        #expect(socket.resolveOverrides["a.aws.x.com:443"] == .init(address: "10.0.0.5", port: 443))
        let bad: [(String, String)] = [("PORT", "70000"), ("APP_DOMAIN_SUFFIX", "com/evil"), ("FIREFLY_PROXY_APP_ORIGIN", "https://apps.example.com/path"),
                                       ("FIREFLY_PROXY_FRAME_ANCESTORS", "https://apps.example.com"), ("FIREFLY_PROXY_CORS_ORIGINS", "*"),
                                       ("FIREFLY_PROXY_RESOLVE", "host=1.2.3.4"), ("FIREFLY_PROXY_COOKIE_SAMESITE", "maybe"),
                                       ("FIREFLY_PROXY_LEGACY_TOKENS", "true"), ("FIREFLY_PROXY_CA_FILE", "/nonexistent.pem"),
                                       ("FIREFLY_PROXY_DATABASE_URL", "postgresql://u:secret@db/firefly"), ("FIREFLY_PROXY_SESSION_CHECK_INTERVAL", "2m")]
        for (key, value) in bad {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") { try configuration([key: value]) }
            do { _ = try configuration([key: value]) } catch let error as ConfigurationError { #expect(error.key == key || key == "FIREFLY_PROXY_FRAME_ANCESTORS") }
        }
        #expect(throws: ConfigurationError.self) { try ProxyConfiguration.parseFile("ENCRYPTION_KEY=\(keyHex)\n", path: "p") }
        #expect(throws: ConfigurationError.self) { try ProxyConfiguration.parseFile("FIREFLY_PROXY_TYPO=1\n", path: "p") }
        #expect(try ProxyConfiguration.parseFile("# comment\nPORT = \"9000\"\n", path: "p") == ["PORT": "9000"])
        #expect(throws: ConfigurationError.self) {
            try ProxyConfiguration(fileValues: ["FIREFLY_PROXY_APP_ORIGIN": "https://a.b", "FIREFLY_PROXY_FRAME_ANCESTORS": "https://c.d",
                                                "FIREFLY_PROXY_DATABASE_URL": "dbname=f"], environment: ["ENCRYPTION_KEY": "abc"])
        }
    }
}
