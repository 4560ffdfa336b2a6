import FireflyCore
import FireflyCrypto
import FireflyIdentity
import FireflyJSON
import FoundationEssentials
import JWTKit
import Testing

/// ID tokens signed here with a fresh P-256 key (and a second key the provider never published).
private struct TokenClaims: JWTPayload {
    var iss: String = "https://id.example"
    var sub: String = "user-1"
    var aud: [String] = ["firefly"]
    var azp: String?
    var exp: Double
    var iat: Double
    var nonce: String? = "the-nonce"
    var email: String? = "a@acme.example"
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

private struct Signers {
    let published = ES256PrivateKey()
    let unpublished = ES256PrivateKey()
    let collection = JWTKeyCollection()

    func jwks() -> [UInt8] {
        let (x, y) = published.parameters ?? ("", "")
        return Array(#"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(x)","y":"\#(y)","kid":"k1","alg":"ES256","use":"sig"},{"kty":"oct","k":"c2VjcmV0","kid":"hmac"}]}"#.utf8)
    }

    func sign(_ claims: TokenClaims, kid: String = "k1") async throws -> String {
        await collection.add(ecdsa: published, kid: "k1")
        await collection.add(ecdsa: unpublished, kid: "k2")
        return try await collection.sign(claims, kid: JWKIdentifier(string: kid))
    }
}

@Suite("ID token verification")
struct IDTokenVerificationTests {
    let now = Date().timeIntervalSince1970
    var expectations: IDTokenExpectations { IDTokenExpectations(issuer: "https://id.example", clientID: "firefly", nonce: "the-nonce", now: now) }

    private func verify(_ token: String, _ signers: Signers) async throws -> [String: JSONValue] {
        let keys = try await SigningKeys(jwksJSON: signers.jwks())
        return try await IDTokenVerifier.verify(token, keys: keys, expect: expectations)
    }

    private func expectRefused(_ token: String, _ signers: Signers, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            _ = try await verify(token, signers)
            Issue.record("accepted a token that must be refused (\(reason))", sourceLocation: sourceLocation)
        } catch let error as IdentityError {
            #expect(error.description.contains(reason), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("a correct token verifies; the oct key in the JWKS is ignored")
    func valid() async throws {
        let signers = Signers()
        let claims = try await verify(try await signers.sign(TokenClaims(exp: now + 300, iat: now)), signers)
        #expect(claims["sub"]?.string == "user-1")
        #expect(try await SigningKeys(jwksJSON: signers.jwks()).keyIDs == ["k1"])
    }

    @Test("alg none, HS256 and an unknown kid never reach verification")
    func algorithmsAndKeys() async throws {
        let signers = Signers()
        let good = try await signers.sign(TokenClaims(exp: now + 300, iat: now))
        let parts = good.split(separator: ".")
        let none = Base64URL.encode(Array(#"{"alg":"none","kid":"k1"}"#.utf8)) + "." + parts[1] + "."
        await expectRefused(none, signers, "algorithm none is not allowed")
        let hmac = Base64URL.encode(Array(#"{"alg":"HS256","kid":"hmac"}"#.utf8)) + "." + parts[1] + "." + parts[2]
        await expectRefused(hmac, signers, "algorithm HS256 is not allowed")
        let noAlg = Base64URL.encode(Array(#"{"kid":"k1"}"#.utf8)) + "." + parts[1] + "." + parts[2]
        await expectRefused(noAlg, signers, "is not allowed")
        await expectRefused(try await signers.sign(TokenClaims(exp: now + 300, iat: now), kid: "k2"), signers, "unknown key (kid k2)")
        let tampered = String(parts[0]) + "." + Base64URL.encode(Array(#"{"iss":"https://id.example","sub":"admin","aud":"firefly","exp":9999999999,"iat":\#(Int(now)),"nonce":"the-nonce"}"#.utf8)) + "." + parts[2]
        await expectRefused(tampered, signers, "signature does not verify")
        await expectRefused("not-a-jwt", signers, "not a signed JWT")
    }

    @Test("issuer, audience, authorized party, expiry, issue time and nonce are all checked")
    func claims() async throws {
        let signers = Signers()
        await expectRefused(try await signers.sign(TokenClaims(iss: "https://evil.example", exp: now + 300, iat: now)), signers, "issued by someone else")
        await expectRefused(try await signers.sign(TokenClaims(aud: ["other-client"], exp: now + 300, iat: now)), signers, "meant for another client")
        await expectRefused(try await signers.sign(TokenClaims(aud: ["firefly", "other"], exp: now + 300, iat: now)), signers, "several audiences")
        await expectRefused(try await signers.sign(TokenClaims(aud: ["firefly", "other"], azp: "other", exp: now + 300, iat: now)), signers, "authorized party")
        #expect(try await verify(try await signers.sign(TokenClaims(aud: ["firefly", "other"], azp: "firefly", exp: now + 300, iat: now)), signers)["sub"] != nil)
        await expectRefused(try await signers.sign(TokenClaims(exp: now - 120, iat: now - 400)), signers, "has expired")
        await expectRefused(try await signers.sign(TokenClaims(exp: now + 3600, iat: now + 600)), signers, "issue time")
        await expectRefused(try await signers.sign(TokenClaims(exp: now + 3600, iat: now - 3000)), signers, "issue time")
        await expectRefused(try await signers.sign(TokenClaims(exp: now + 300, iat: now, nonce: "another")), signers, "nonce")
        await expectRefused(try await signers.sign(TokenClaims(exp: now + 300, iat: now, nonce: nil)), signers, "nonce")
        // Within the allowed skew.
        #expect(try await verify(try await signers.sign(TokenClaims(exp: now - 30, iat: now + 30)), signers)["sub"] != nil)
    }
}

@Suite("return_to: local paths only")
struct ReturnToTests {
    @Test("local paths pass")
    func local() {
        for path in ["/", "/reports", "/reports?year=2026&q=a%20b", "/a/b/c#frag", "/caf%C3%A9"] {
            #expect(ReturnTo.sanitize(path) == path, "\(path)")
        }
    }

    @Test("every open-redirect form falls back to /")
    func hostile() {
        for path in ["//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example", "http:evil.example", "javascript:alert(1)",
                     "%2F%2Fevil.example", "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/%255C%255Cevil.example",
                     "/%252F%252Fevil.example", "evil.example", "", "/ok\r\nSet-Cookie: x=y", "/%0d%0aSet-Cookie:x", "/\u{FF0F}evil.example",
                     "/\t/evil.example", "/%00", "/%zz", String(repeating: "/a", count: 2000)] {
            #expect(ReturnTo.sanitize(path) == "/", "\(path.debugDescription)")
        }
        #expect(ReturnTo.sanitize(nil) == "/")
    }
}

@Suite("identity configuration")
struct IdentityConfigurationTests {
    let base = ["FIREFLY_DATABASE_URL": "host=/tmp dbname=x"]

    @Test("providers are read from their own keys; errors name the key")
    func providers() throws {
        var environment = base.merging([
            "FIREFLY_PUBLIC_URL": "https://firefly.example.com/",
            "FIREFLY_OIDC_PROVIDERS": "okta, Keycloak",
            "FIREFLY_OIDC_OKTA_ISSUER": "https://acme.okta.com",
            "FIREFLY_OIDC_OKTA_CLIENT_ID": "abc",
            "FIREFLY_OIDC_KEYCLOAK_ISSUER": "https://sso.example/realms/x",
            "FIREFLY_OIDC_KEYCLOAK_CLIENT_ID": "def",
            "FIREFLY_OIDC_KEYCLOAK_GROUPS_CLAIM": "roles",
        ]) { $1 }
        let configuration = try FireflyConfiguration.load(environment: environment)
        #expect(configuration.identity.providers.map(\.name) == ["okta", "keycloak"])
        #expect(configuration.identity.providers[1].groupsClaim == "roles")
        #expect(configuration.identity.redirectURI == "https://firefly.example.com/auth/callback")
        #expect(configuration.resolvedValues["FIREFLY_OIDC_KEYCLOAK_CLIENT_ID"] == "def")

        environment["FIREFLY_OIDC_OKTA_ISSUER"] = "http://acme.okta.com"
        #expect { try FireflyConfiguration.load(environment: environment) } throws: { "\($0)".contains("FIREFLY_OIDC_OKTA_ISSUER") }
        environment["FIREFLY_OIDC_OKTA_ISSUER"] = nil
        #expect { try FireflyConfiguration.load(environment: environment) } throws: { "\($0)".contains("FIREFLY_OIDC_OKTA_ISSUER") }
        environment["FIREFLY_OIDC_OKTA_ISSUER"] = "https://acme.okta.com"
        environment["FIREFLY_PUBLIC_URL"] = nil
        #expect { try FireflyConfiguration.load(environment: environment) } throws: { "\($0)".contains("FIREFLY_PUBLIC_URL") }
    }

    @Test("loopback http issuers only when explicitly allowed")
    func loopback() throws {
        let environment = base.merging([
            "FIREFLY_PUBLIC_URL": "https://localhost:8443", "FIREFLY_OIDC_PROVIDERS": "demo",
            "FIREFLY_OIDC_DEMO_ISSUER": "http://127.0.0.1:8700/openid", "FIREFLY_OIDC_DEMO_CLIENT_ID": "x",
        ]) { $1 }
        #expect(throws: (any Error).self) { try FireflyConfiguration.load(environment: environment) }
        let allowed = try FireflyConfiguration.load(environment: environment.merging(["FIREFLY_OIDC_ALLOW_HTTP_LOOPBACK": "true"]) { $1 })
        #expect(allowed.identity.allowHTTPLoopbackIssuers)
    }
}

@Suite("Refresh-token re-checks")
struct RefreshOutcomeTests {
    @Test("only a definitive no ends a session: busy, failing or misconfigured providers postpone the check", arguments: [
        (400, "invalid_grant", true), (401, nil, true), (400, nil, true),
        (408, nil, false), (429, "slow_down", false), (429, nil, false), (500, nil, false), (503, "temporarily_unavailable", false),
        (401, "invalid_client", false), (400, "unsupported_grant_type", false), (400, "temporarily_unavailable", false),
    ] as [(Int, String?, Bool)])
    func classification(status: Int, error: String?, refusal: Bool) {
        #expect(ProviderClient.isRefusal(status: status, error: error) == refusal)
    }
}

@Suite("Provider facts: verified email, discovery problems")
struct ProviderFactsTests {
    @Test("email_verified: true or \"true\" verifies; false, garbage or absence does not, unless the provider is trusted")
    func verification() {
        #expect(Identity.emailVerified(.bool(true), trusted: false))
        #expect(Identity.emailVerified(.string("true"), trusted: false))
        #expect(!Identity.emailVerified(.bool(false), trusted: true))
        #expect(!Identity.emailVerified(.string("yes"), trusted: false))
        #expect(!Identity.emailVerified(nil, trusted: false))
        #expect(Identity.emailVerified(nil, trusted: true))
    }

    @Test("discovery: an issuer mismatch and missing endpoints are named, each")
    func discovery() {
        let good: [String: JSONValue] = ["issuer": .string("https://id.example/o"), "authorization_endpoint": .string("a"),
                                          "token_endpoint": .string("t"), "jwks_uri": .string("j"), "code_challenge_methods_supported": .array([.string("S256")])]
        #expect(ProviderClient.discoveryProblems(good, issuer: "https://id.example/o/").isEmpty)
        var bad = good
        bad["issuer"] = .string("https://evil.example")
        bad["jwks_uri"] = nil
        bad["code_challenge_methods_supported"] = .array([.string("plain")])
        let problems = ProviderClient.discoveryProblems(bad, issuer: "https://id.example/o")
        #expect(problems.count == 3)
        #expect(problems.contains { $0.contains("issuer mismatch") && $0.contains("https://evil.example") })
        #expect(problems.contains { $0 == "missing: jwks_uri" })
    }
}

@Suite("Session cookie in a Cookie header")
struct SessionCookieTests {
    @Test("found among others, spaces trimmed; a longer name, an empty value or no header is no session")
    func cookieValue() {
        let name = Identity.cookieName
        #expect(Identity.cookieValue("a=1; \(name)=abc-_9; b=2") == "abc-_9")
        #expect(Identity.cookieValue("\(name)=first;\(name)=second") == "first")
        #expect(Identity.cookieValue("\(name)_old=x; z=\(name)=y") == nil)
        #expect(Identity.cookieValue("\(name)=; a=1") == nil)
        #expect(Identity.cookieValue("a=1") == nil)
        #expect(Identity.cookieValue(nil) == nil)
        #expect(Identity.cookieValue("  \(name)=é;x") == "é")
    }
}
