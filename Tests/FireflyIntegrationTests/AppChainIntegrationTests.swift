import FireflyHTTPClient
import FireflySystem
import Foundation
import Testing

/// Opening an app as a user does, through every real piece: FireFly lists the organization's apps
/// and mints with its service principal's token, nginx, firefly-proxy, and an app host that checks
/// that token with the workspace (simulator) the way Databricks Apps do.
@Suite("Apps end to end: FireFly → nginx → firefly-proxy → an app host that checks the SPN token", .serialized, .timeLimit(.minutes(4)))
struct AppChainIntegrationTests {
    @Test("each organization lists and opens its own apps (AWS- and Azure-style hosts); the kernel runs 1+1; another org's SPN is refused by the app host")
    func openApps() throws {
        let chain = try AppChain("chain")
        let gateway = chain.gateway
        let stack = gateway.world.stack
        let (alice, aliceCSRF) = try gateway.signIn("alice", "alice-password")
        let (bob, bobCSRF) = try gateway.signIn("bob", "bob-password")
        #expect(GatewayStack.names(try gateway.get(alice, "/api/apps"), "apps") == ["notebook", "reports"])
        #expect(GatewayStack.names(try gateway.get(bob, "/api/apps"), "apps") == ["ledger"])
        // FireFly never mints for an app the organization's principal cannot use.
        #expect(try gateway.post(bob, "/api/apps/notebook/embed", csrf: bobCSRF, json: [String: Any]()).status == 404)

        for (app, label, provider) in [("notebook", "notebook-1", "aws"), ("reports", "reports-1", "1.azure")] {
            let minted = try gateway.post(alice, "/api/apps/\(app)/embed", csrf: aliceCSRF, json: [String: Any]())
            #expect(minted.status == 200, "\(minted.text)")
            let url = try #require(minted.json["url"] as? String)
            let origin = try #require(minted.json["origin"] as? String)
            #expect(origin == "https://\(label)--acme.apps.localhost:\(stack.httpsPort)")
            #expect(url.hasSuffix("/\(provider)/databricksapps/\(label)/"))
            // The iframe's first load: the token moves into the app origin's cookie, then Jupyter answers.
            let opened = try alice.follow(url, headers: [("Accept", "text/html")])
            #expect(opened.response?.status == 200, "\(app): \(opened.response?.text.prefix(300) ?? "")")
            #expect(opened.response?.text.contains("Jupyter") == true)
            let appHost = String(origin.dropFirst("https://".count).prefix { $0 != ":" })
            let cookie = try #require(alice.jar[appHost]?["__Host-firefly_app_token"])
            // The FireFly session cookie never went to the app origin; the app's cookies stay there.
            #expect(alice.jar[appHost]?["__Host-firefly_session"] == nil)
            #expect(alice.jar["localhost"]?["__Host-firefly_app_token"] == nil)
            let output = try Shell.succeed(try TestStack.python, [
                TestStack.repository + "/Tests/Conformance/jupyter_kernel.py", origin,
                "__Host-firefly_app_token=\(cookie.value)", origin, stack.directory + "/nginx/tls/cert.pem",
            ])
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("2"), "\(output)")
        }
        #expect(!chain.upstreamAccessLog.contains("__Host-firefly_session"))

        // globex's principal holds a valid token, but the app host refuses it for acme's app: a
        // token sealed for notebook that carries bob's organization's bearer is answered 403 upstream.
        let bobsApp = try gateway.post(bob, "/api/apps/ledger/embed", csrf: bobCSRF, json: [String: Any]())
        #expect(bobsApp.status == 200, "\(bobsApp.text)")
        let ledger = try bob.follow(try #require(bobsApp.json["url"] as? String), headers: [("Accept", "text/html")])
        #expect(ledger.response?.status == 200)
        let notebookHost = AppChain.hosts["notebook"] ?? ""
        let direct = try HTTPClient(options: HTTPClientOptions(caFile: chain.upstreamDirectory + "/ca.pem", timeoutMilliseconds: 10_000,
                                                           resolve: ["\(notebookHost):\(chain.upstreamPort):127.0.0.1"]))
        func status(with token: String) throws -> Int {
            try direct.send(HTTPRequest(url: "https://\(notebookHost):\(chain.upstreamPort)/api/status", headers: [("Authorization", "Bearer \(token)")])).status
        }
        let simulatorToken = try gateway.simulator.token("org-b", "secret-b")
        #expect(try status(with: simulatorToken) == 403)
        #expect(try status(with: try gateway.simulator.token()) == 200)
        #expect(try status(with: "not-a-token") == 401)
        #expect(!chain.proxyLog.contains(simulatorToken))
    }
}
