import FireflyHTTPClient
import FireflySystem
import Foundation
import Testing

@Suite("Identity with two real providers at once (django-oidc-provider and django-oauth-toolkit)", .serialized, .timeLimit(.minutes(4)))
struct MultiProviderIntegrationTests {
    @Test("rules bind to their provider; email verified only when said; groups from userinfo; refused logins change nothing")
    func rules() throws {
        let world = try TwoProviderStack("twoprov")
        let (alice, aliceLogin) = try world.login("alice", at: "corp")
        #expect(aliceLogin.status == 302)
        #expect(try world.organization(alice) == "acme")
        // Cross-provider isolation, both ways: an address in the other provider's domain places nobody.
        #expect(try world.login("mallory", at: "partner").response.status == 403, "partner's mallory@acme.example")
        #expect(try world.login("oscar", at: "corp").response.status == 403, "corp's oscar@other.example")
        // A verified address of partner's domain, and a group only partner's userinfo releases.
        let (carol, carolLogin) = try world.login("carol", at: "partner")
        #expect(carolLogin.status == 302)
        #expect(try world.organization(carol) == "other")
        let (frank, frankLogin) = try world.login("frank", at: "partner")
        #expect(frankLogin.status == 302, "groups only in userinfo")
        #expect(try world.organization(frank) == "other")
        // No email_verified (dave) or false (erin): the domain rule does not apply.
        #expect(try world.login("dave", at: "partner").response.status == 403)
        #expect(try world.login("erin", at: "partner").response.status == 403)
        #expect(world.stack.poolLog.contains("email is not verified"))
        #expect(world.stack.poolLog.contains("provider=partner"))

        // A refused login leaves the stored user as it was.
        let stored = try world.sql("SELECT email FROM users WHERE email LIKE 'carol@%'")
        try world.partner.shell("from django.contrib.auth.models import User; u = User.objects.get(username='carol'); u.email = 'carol@nowhere.example'; u.save()")
        #expect(try world.login("carol", at: "partner").response.status == 403)
        #expect(try world.sql("SELECT email FROM users WHERE email LIKE 'carol@%'") == stored)
        #expect(stored == "carol@other.example")

        // Logout tells the provider which session to end.
        let token = try #require(try carol.send("GET", world.base + "/api/me").json["csrf_token"] as? String)
        let out = try carol.send("POST", world.base + "/auth/logout", headers: [("Origin", world.base), ("X-CSRF-Token", token)])
        #expect(out.status == 303)
        let next = try #require(out.header("Location"))
        #expect(next.hasPrefix(world.partner.issuer + "/logout/"))
        #expect(Browser.queryValue(next, "id_token_hint")?.split(separator: ".").count == 3)
        #expect(Browser.queryValue(next, "client_id") == OIDCProviderFixture.clientID)
        let (_, landed) = try carol.follow(next, stopAt: world.base + "/")
        #expect(landed.hasPrefix(world.base + "/"), "the provider ended its session and sent the browser back: \(landed)")

        // Rules need a provider when several are configured.
        #expect(throws: (any Error).self) { try world.admin(["org", "add-rule", "other", "--email-domain", "x.example"]) }
        #expect(throws: (any Error).self) { try world.admin(["org", "add-rule", "other", "--email-domain", "x.example", "--provider", "nope"]) }
    }

    @Test("a provider trusted with TRUST_EMAIL counts its addresses as verified")
    func trustedEmail() throws {
        let world = try TwoProviderStack("trustprov", settings: ["FIREFLY_OIDC_PARTNER_TRUST_EMAIL": "true"])
        let (dave, login) = try world.login("dave", at: "partner")
        #expect(login.status == 302)
        #expect(try world.organization(dave) == "other")
        #expect(try world.login("erin", at: "partner").response.status == 403, "an explicit false is never trusted")
    }

    @Test("the sign-in page lists both providers; provider= and an email's domain skip it; provider check finds what is wrong")
    func signInPageAndCheck() throws {
        let world = try TwoProviderStack("signprov")
        let page = try Browser(stack: world.stack).send("GET", world.base + "/auth/login?return_to=%2Fsql")
        #expect(page.status == 200)
        #expect(page.text.contains("Sign in with Corp SSO") && page.text.contains("Sign in with Partner ID"))
        #expect(page.text.contains("return_to=%2Fsql"))
        #expect(page.text.contains("<label for=\"login_hint\""))
        #expect(!page.text.contains("<script"))
        let direct = try Browser(stack: world.stack).send("GET", world.base + "/auth/login?provider=partner")
        #expect(direct.status == 302)
        #expect(direct.header("Location")?.hasPrefix(world.partner.issuer + "/authorize/") == true)
        let hinted = try Browser(stack: world.stack).send("GET", world.base + "/auth/login?login_hint=carol%40other.example")
        #expect(hinted.status == 302)
        #expect(hinted.header("Location").flatMap { Browser.queryValue($0, "login_hint") } == "carol@other.example")
        #expect(hinted.header("Location")?.hasPrefix(world.partner.issuer) == true)
        let unknown = try Browser(stack: world.stack).send("GET", world.base + "/auth/login?login_hint=x%40unknown.example")
        #expect(unknown.status == 200 && unknown.text.contains("No single sign-in is known"))

        let healthy = try world.admin(["provider", "check", "partner"])
        #expect(healthy.contains("ok   issuer \(world.partner.issuer)"), "\(healthy)")
        #expect(healthy.contains("signing key"))
        #expect(!healthy.contains("FAIL"))
        let broken = world.stack.directory + "/broken.conf"
        var text = try String(contentsOfFile: world.stack.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "FIREFLY_OIDC_PARTNER_ISSUER=\(world.partner.issuer)", with: "FIREFLY_OIDC_PARTNER_ISSUER=\(world.corp.issuer)x")
        try text.write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try Shell.run(TestStack.binDirectory + "/firefly-admin", ["provider", "check", "partner", "--config", broken],
                                   environment: TestStack.cleanEnvironment())
        #expect(result.status != 0)
        #expect(result.output.contains("FAIL"), "\(result.output)")
    }
}
