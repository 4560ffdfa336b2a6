import FireflySystem
import Foundation
import Testing

/// The web application in real Chromium, through nginx over TLS, signing in at the real provider:
/// Tests/Browser/journeys.py walks what a person does (catalog, 5,000 tables in a schema, table, SQL, 10,000 rows, CSV,
/// cancel, errors, history, reload, uploads with a reload mid-way, the volume page, an app with its
/// kernel over the WebSocket and an expired embed minted again, revocation) and checks every page with axe, for CSP
/// violations and console errors. Screenshots go to .build/screenshots/.
@Suite("Web application in Chromium", .timeLimit(.minutes(6)))
struct BrowserIntegrationTests {
    @Test("catalog, table, SQL editor, history and sign-in journeys: no axe, CSP or console errors")
    func journeys() throws {
        // The whole app chain (proxy, an app host that checks the SPN token, Jupyter) for the apps
        // journey; a small upload quota so the uploads journey can meet it; a schema of 5,000 tables.
        let chain = try AppChain("browser", settings: ["FIREFLY_UPLOAD_USER_QUOTA": "150m"],
                                 simulatorSettings: ["dataset": ["trips_rows": 20000, "tpch_orders": 3000, "wide_schema_tables": 5000]])
        let gateway = chain.gateway
        let screenshots = TestStack.repository + "/.build/screenshots"
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let result = try Shell.run(try TestStack.python, [
            TestStack.repository + "/Tests/Browser/journeys.py", gateway.base, "alice", "alice-password", screenshots,
            TestStack.binDirectory + "/firefly-admin", "sessions", "revoke", "--email", "alice@acme.example", "--config", gateway.world.stack.configPath,
        ], environment: TestStack.cleanEnvironment())
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("all browser checks passed"), "\(result.output)")
    }
}
