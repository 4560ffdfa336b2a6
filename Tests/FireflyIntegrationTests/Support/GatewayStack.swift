import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflySystem
import ProxyCore
import Foundation
import Synchronization
import Testing

/// Identity stack + workspace simulator: acme (alice, SPN org-a: samples, main, extra) and globex
/// (bob, SPN org-b: samples.tpch) on the same simulated workspace.
final class GatewayStack {
    let world: IdentityStack
    let simulator: SimulatorProcess
    var base: String { world.base }

    init(_ name: String, settings: [String: String] = [:], simulatorSettings: [String: Any] = [:]) throws {
        simulator = try SimulatorProcess(name, settings: simulatorSettings)
        world = try IdentityStack(name, settings: settings)
        for (org, client, secret) in [("acme", "org-a", "secret-a"), ("globex", "org-b", "secret-b")] {
            try world.admin(["org", "set-workspace", org, "--url", simulator.baseURL, "--warehouse", "sim-warehouse"])
            let secretFile = world.stack.directory + "/\(org)-spn-secret"
            try secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
            try world.admin(["org", "set-spn", org, "--client-id", client, "--secret-file", secretFile])
            try FileManager.default.removeItem(atPath: secretFile)
        }
    }

    /// A signed-in browser and its CSRF token.
    func signIn(_ user: String, _ password: String) throws -> (Browser, String) {
        let browser = Browser(stack: world.stack)
        guard try world.login(browser, user: user, password: password).status == 302 else { throw StackError("login failed for \(user)") }
        let csrf = try world.me(browser).json["csrf_token"] as? String ?? ""
        return (browser, csrf)
    }

    func get(_ browser: Browser, _ path: String, headers: [(name: String, value: String)] = []) throws -> HTTPResponse {
        try browser.send("GET", base + path, headers: headers)
    }

    func post(_ browser: Browser, _ path: String, csrf: String, json: Any) throws -> HTTPResponse {
        try browser.send("POST", base + path, headers: [("Origin", base), ("X-CSRF-Token", csrf), ("Content-Type", "application/json")],
                         body: Array(try JSONSerialization.data(withJSONObject: json)))
    }

    func tokenExchanges(_ client: String) throws -> Int {
        ((try simulator.send("GET", "/sim/admin/counters").json["token_exchanges"] as? [String: Int]) ?? [:])[client] ?? 0
    }

    static func names(_ response: HTTPResponse, _ key: String) -> [String] {
        ((response.json[key] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }
}
