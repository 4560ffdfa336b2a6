import FireflyHTTPClient
import FireflySystem
import Foundation
import Testing

/// Two independent real providers at once, as organizations use FireFly: django-oidc-provider as
/// `corp` (acme's users) and django-oauth-toolkit as `partner` (other's users; it releases groups
/// only from userinfo and email_verified only when set).
final class TwoProviderStack {
    let stack: TestStack
    let corp: OIDCProviderFixture
    let partner: OIDCProviderFixture
    var base: String { "https://localhost:\(stack.httpsPort)" }

    init(_ name: String, settings: [String: String] = [:]) throws {
        stack = try TestStack(name, startPool: false)
        corp = try OIDCProviderFixture(stack: stack, kind: "oidc", folder: "corp", users: OIDCProviderFixture.defaultUsers + [
            ["username": "oscar", "password": "oscar-password", "email": "oscar@other.example", "first_name": "Oscar"],
        ])
        partner = try OIDCProviderFixture(stack: stack, kind: "dot", folder: "partner", users: [
            ["username": "carol", "password": "carol-password", "email": "carol@other.example", "email_verified": true],
            ["username": "mallory", "password": "mallory-password", "email": "mallory@acme.example", "email_verified": true],
            ["username": "dave", "password": "dave-password", "email": "dave@other.example"],
            ["username": "erin", "password": "erin-password", "email": "erin@other.example", "email_verified": false],
            ["username": "frank", "password": "frank-password", "email": "frank@elsewhere.example", "email_verified": true, "groups": ["analysts"]],
        ])
        let vaultKey = stack.directory + "/vault-key"
        try (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined().write(toFile: vaultKey, atomically: true, encoding: .utf8)
        var values = [
            "FIREFLY_PUBLIC_URL": base, "FIREFLY_OIDC_PROVIDERS": "corp,partner", "FIREFLY_OIDC_ALLOW_HTTP_LOOPBACK": "true",
            "FIREFLY_VAULT_KEY_FILE": vaultKey,
        ]
        values.merge(corp.providerSettings(name: "corp", displayName: "Corp SSO")) { $1 }
        values.merge(partner.providerSettings(name: "partner", displayName: "Partner ID")) { $1 }
        values.merge(settings) { $1 }
        try stack.writeConfiguration(values)
        try admin(["org", "create", "acme", "--name", "Acme Corp"])
        try admin(["org", "create", "other", "--name", "Other Org"])
        try admin(["org", "add-rule", "acme", "--email-domain", "acme.example", "--provider", "corp"])
        try admin(["org", "add-rule", "other", "--email-domain", "other.example", "--provider", "partner"])
        try admin(["org", "add-rule", "other", "--group", "analysts", "--provider", "partner"])
        try stack.startPool()
    }

    deinit {
        corp.stop()
        partner.stop()
        stack.shutdown()
    }

    @discardableResult
    func admin(_ arguments: [String], configPath: String? = nil) throws -> String {
        try Shell.succeed(TestStack.binDirectory + "/firefly-admin", arguments + ["--config", configPath ?? stack.configPath],
                          environment: TestStack.cleanEnvironment())
    }

    func sql(_ statement: String) throws -> String {
        try Shell.succeed(try Shell.which("psql"), ["-h", stack.databaseDirectory, "-U", "firefly", "-d", "firefly", "-tAc", statement])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A whole login at `provider` in a fresh browser; FireFly's answer to the callback.
    func login(_ user: String, at provider: String) throws -> (browser: Browser, response: HTTPResponse) {
        let browser = Browser(stack: stack)
        let (response, url) = try browser.follow(base + "/auth/login?provider=\(provider)&return_to=%2F", stopAt: base + "/auth/callback")
        guard let page = response, page.status == 200 else { throw StackError("no login page at \(provider): \(url)") }
        let (_, callback) = try browser.submitLogin(page: page, pageURL: url, username: user, password: "\(user)-password", stopAt: base + "/auth/callback")
        guard callback.hasPrefix(base + "/auth/callback") else { throw StackError("\(provider) did not redirect back: \(callback)") }
        return (browser, try browser.send("GET", callback))
    }

    func organization(_ browser: Browser) throws -> String? {
        ((try browser.send("GET", base + "/api/me").json["organization"]) as? [String: Any])?["slug"] as? String
    }
}
