import FireflyCrypto
import FireflyHTTPClient
import FireflySystem
import Foundation
import Testing

/// A stack with login configured against a real django-oidc-provider, organizations `acme`
/// (email domain acme.example) and `globex` (group finance).
final class IdentityStack {
    let stack: TestStack
    let provider: OIDCProviderFixture
    var base: String { "https://localhost:\(stack.httpsPort)" }

    init(_ name: String, settings: [String: String] = [:]) throws {
        stack = try TestStack(name, startPool: false)
        provider = try OIDCProviderFixture(stack: stack)
        try stack.writeConfiguration(try provider.settings(stack: stack, extra: settings))
        try admin(["org", "create", "acme", "--name", "Acme Corp"])
        try admin(["org", "create", "globex", "--name", "Globex"])
        try admin(["org", "add-rule", "acme", "--email-domain", "acme.example"])
        try admin(["org", "add-rule", "globex", "--group", "finance"])
        try stack.startPool()
    }

    deinit {
        provider.stop()
        stack.shutdown()
    }

    @discardableResult
    func admin(_ arguments: [String]) throws -> String {
        try Shell.succeed(TestStack.binDirectory + "/firefly-admin", arguments + ["--config", stack.configPath],
                          environment: TestStack.cleanEnvironment())
    }

    func sql(_ statement: String) throws -> String {
        try Shell.succeed(try Shell.which("psql"), ["-h", stack.databaseDirectory, "-U", "firefly", "-d", "firefly", "-tAc", statement])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts a login in `browser` and stops at the provider's login page.
    func startLogin(_ browser: Browser, returnTo: String = "/") throws -> (page: HTTPResponse, url: String) {
        let (response, url) = try browser.follow(base + "/auth/login?return_to=" + Browser.formEncode(returnTo))
        guard let response, response.status == 200 else { throw StackError("no login page: \(url) \(response?.status ?? 0)") }
        return (response, url)
    }

    /// Signs in at the provider (unless the browser is still signed in there) and stops before the
    /// callback reaches FireFly; returns the callback URL.
    func callbackURL(_ browser: Browser, user: String, password: String, returnTo: String = "/") throws -> String {
        let (response, url) = try browser.follow(base + "/auth/login?return_to=" + Browser.formEncode(returnTo), stopAt: base + "/auth/callback")
        guard let page = response else { return url }
        guard page.status == 200 else { throw StackError("no login page: \(url) \(page.status)") }
        let (_, final) = try browser.submitLogin(page: page, pageURL: url, username: user, password: password, stopAt: base + "/auth/callback")
        guard final.hasPrefix(base + "/auth/callback") else { throw StackError("the provider did not redirect back: \(final)") }
        return final
    }

    /// A complete login; returns FireFly's final response (the redirect to `returnTo`).
    func login(_ browser: Browser, user: String = "alice", password: String = "alice-password", returnTo: String = "/") throws -> HTTPResponse {
        let callback = try callbackURL(browser, user: user, password: password, returnTo: returnTo)
        return try browser.send("GET", callback)
    }

    func me(_ browser: Browser) throws -> HTTPResponse { try browser.send("GET", base + "/api/me") }
}
