import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyPostgres
import FireflySystem
import ProxyCore
import Foundation
import Synchronization
import Testing

@Suite("Gateway: Databricks through FireFly with per-organization service principals", .serialized, .timeLimit(.minutes(6)))
struct GatewayIntegrationTests {
    @Test("organizations see their own catalogs; statements and cache stay theirs; ETag revalidation")
    func isolation() throws {
        let gateway = try GatewayStack("gwiso")
        let (alice, aliceCSRF) = try gateway.signIn("alice", "alice-password")
        let (bob, bobCSRF) = try gateway.signIn("bob", "bob-password")

        let aliceCatalogs = try gateway.get(alice, "/api/catalogs?page_size=100")
        #expect(aliceCatalogs.status == 200, "\(aliceCatalogs.text)")
        #expect(GatewayStack.names(aliceCatalogs, "catalogs") == ["extra", "main", "samples"])
        #expect(GatewayStack.names(try gateway.get(bob, "/api/catalogs?page_size=100"), "catalogs") == ["samples"])
        #expect(GatewayStack.names(try gateway.get(bob, "/api/catalogs/samples/schemas"), "schemas") == ["tpch"])
        #expect(try gateway.get(bob, "/api/catalogs/samples/schemas/nyctaxi/tables").status == 403)
        let page = try gateway.get(alice, "/api/catalogs?page_size=2")
        #expect(GatewayStack.names(page, "catalogs") == ["extra", "main"])
        let token = try #require(page.json["next_page_token"] as? String)
        #expect(GatewayStack.names(try gateway.get(alice, "/api/catalogs?page_size=2&page_token=\(Browser.formEncode(token))"), "catalogs") == ["samples"])
        let table = try gateway.get(alice, "/api/tables/samples.tpch.orders")
        #expect((table.json["columns"] as? [[String: Any]])?.count == 6)
        #expect(try gateway.get(alice, "/api/tables/samples.tpch.nothing").status == 404)
        // Dot segments never become a Databricks path (`/api/2.1/unity-catalog/tables/..` would climb out).
        for path in ["/api/tables/%2e%2e", "/api/tables/%2E", "/api/catalogs/%2e%2e/schemas", "/api/catalogs/main/schemas/%2e/tables"] {
            let dotted = try gateway.get(alice, path)
            #expect(dotted.status == 400, "\(path) answered \(dotted.status)")
        }

        // ETag: a browser revalidates cheaply.
        let etag = try #require(aliceCatalogs.header("ETag"))
        #expect(try gateway.get(alice, "/api/catalogs?page_size=100", headers: [("If-None-Match", etag)]).status == 304)

        // SQL: alice's statement is invisible to bob.
        let run = try gateway.post(alice, "/api/sql/statements", csrf: aliceCSRF, json: ["statement": "SELECT count(*) AS n FROM samples.tpch.orders"])
        #expect(run.status == 200, "\(run.text)")
        let id = try #require(run.json["statement_id"] as? String)
        #expect(((run.json["result"] as? [String: Any])?["data_array"] as? [[String]])?.first?.first == "3000")
        #expect(try gateway.get(alice, "/api/sql/statements/\(id)").status == 200)
        #expect(try gateway.get(bob, "/api/sql/statements/\(id)").status == 404)
        #expect(try gateway.get(bob, "/api/sql/statements/\(id)/result/chunks/0").status == 404)
        #expect(try gateway.post(bob, "/api/sql/statements/\(id)/cancel", csrf: bobCSRF, json: [String: Any]()).status == 404)
        // Bad SQL comes back as Databricks says it (a FAILED statement), bad input as 400.
        let bad = try gateway.post(alice, "/api/sql/statements", csrf: aliceCSRF, json: ["statement": "SELEC 1"])
        #expect(((bad.json["status"] as? [String: Any])?["state"] as? String) == "FAILED")
        #expect(try gateway.post(alice, "/api/sql/statements", csrf: aliceCSRF, json: ["statement": "SELECT 1", "colour": "red"]).status == 400)
        #expect(try gateway.post(alice, "/api/sql/statements", csrf: "wrong", json: ["statement": "SELECT 1"]).status == 403)

        // Preview with a hostile name: quoted, so nothing is injected (the table does not exist).
        #expect(try gateway.get(alice, "/api/tables/samples.tpch.orders/preview?limit=3").json["statement_id"] != nil)
        #expect(try gateway.get(alice, "/api/tables/" + Browser.formEncode("samples.tpch.x` ; DROP TABLE orders; --") + "/preview").status == 404)

        // Audit: rows for both users, and no secret anywhere.
        #expect(Int(try gateway.world.sql("SELECT count(DISTINCT user_id) FROM audit_log")) == 2)
        #expect(try gateway.world.sql("SELECT count(*) FROM audit_log WHERE path_template LIKE '%orders%'") == "0")
        let audit = try gateway.world.admin(["audit", "--org", "globex", "--last", "1 hour"])
        #expect(audit.contains("globex\tbob@globex.example\tGET\tGET /api/2.1/unity-catalog/catalogs\t200"), "\(audit)")
        #expect(!audit.contains("alice@acme.example"))
    }

    @Test("a cold start under 200 concurrent requests makes one token exchange; revocation and 429s are absorbed")
    func tokensAndRetries() throws {
        // (Fair-use limits out of the way: this is about one token exchange under a stampede.)
        let gateway = try GatewayStack("gwtok", settings: ["FIREFLY_POOL_THREADS": "16", "FIREFLY_CACHE_TTL": "0", "FIREFLY_DATABRICKS_RETRY_BUDGET": "3s",
                                                           "FIREFLY_LIMIT_USER_REQUESTS": "64", "FIREFLY_LIMIT_ORGANIZATION_REQUESTS": "64"])
        let (alice, _) = try gateway.signIn("alice", "alice-password")
        let cookie = try #require(alice.sessionCookie?.value)
        let failures = Mutex<[Int]>([])
        let caFile = gateway.world.stack.directory + "/nginx/tls/cert.pem", port = gateway.world.stack.httpsPort, base = gateway.base
        let threads = (0..<40).map { _ in
            Background { () throws -> Void in
                for _ in 0..<5 {
                    let client = try HTTPClient(options: HTTPClientOptions(caFile: caFile, resolve: ["localhost:\(port):127.0.0.1"]))
                    let response = try client.send(HTTPRequest(url: base + "/api/catalogs", headers: [("Cookie", "__Host-firefly_session=\(cookie)")]))
                    if response.status != 200 { failures.withLock { $0.append(response.status) } }
                }
            }
        }
        for thread in threads { try thread.value() }
        #expect(failures.withLock { $0 } == [])
        #expect(try gateway.tokenExchanges("org-a") == 1)
        // Every one of the 200 calls has its audit row, written before its answer (rows of threads
        // that arrive together share one statement: group commit).
        #expect(try gateway.world.sql("SELECT count(*) || ' ' || count(DISTINCT request_id) FROM audit_log WHERE path_template LIKE '%unity-catalog/catalogs'")
                == "200 200")
        // The batch's array parameters reach PostgreSQL intact, hostile text included; a batch is
        // never written on a connection inside a transaction, which the connection can tell.
        let connection = try PostgresConnection(connectionString: gateway.world.stack.databaseURL, password: nil)
        let hostile = ["a\"b", "c\\d", "{x,y}", "NULL", "", "é ü"]
        let echoed = try connection.query("SELECT string_agg(v, '|' ORDER BY o) FROM unnest(\(array: hostile)::text[]) WITH ORDINALITY AS t(v, o)").scalar
        #expect(echoed == hostile.joined(separator: "|"))
        #expect(try connection.query("SELECT count(*) FROM unnest(\(array: ["1", nil, "3"])::bigint[]) AS t(v) WHERE v IS NULL").scalar == "1")
        #expect(!connection.isInTransaction)
        try connection.transaction { #expect(connection.isInTransaction) }
        #expect(!connection.isInTransaction)

        // The workspace revokes the token: the next call refreshes and succeeds.
        _ = try gateway.simulator.send("POST", "/sim/admin/revoke", token: nil, json: ["client_id": "org-a"])
        #expect(try gateway.get(alice, "/api/catalogs").status == 200)
        #expect(try gateway.tokenExchanges("org-a") == 2)

        // A 429 storm: every second call is refused with Retry-After 1; callers never see it.
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["catalogs.list": ["rate_429": 0.5, "retry_after_seconds": 1]])
        for _ in 0..<4 { #expect(try gateway.get(alice, "/api/catalogs").status == 200) }
        // Every call refused: after the retry budget, 503 with Retry-After.
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["catalogs.list": ["rate_503": 1.0, "retry_after_seconds": 1]])
        let busy = try gateway.get(alice, "/api/catalogs")
        #expect(busy.status == 503)
        #expect(busy.header("Retry-After") != nil)
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: [String: Any]())
    }

    @Test("under load: a 429 storm, a workspace answering 503, a workspace killed and restarted — answered 200 or 503 with Retry-After, none hangs, one token exchange after")
    func workspaceFaultsUnderLoad() throws {
        // Every /api/catalogs call goes to the workspace (no cache); fair-use limits out of the way.
        let gateway = try GatewayStack("gwfaults", settings: ["FIREFLY_CACHE_TTL": "0", "FIREFLY_DATABRICKS_RETRY_BUDGET": "2s",
                                                              "FIREFLY_LIMIT_USER_REQUESTS": "64", "FIREFLY_LIMIT_ORGANIZATION_REQUESTS": "64"])
        let (alice, _) = try gateway.signIn("alice", "alice-password")
        let cookie = try #require(alice.sessionCookie?.value)
        let stack = gateway.world.stack
        let load = Background {
            try stack.load(path: "/api/catalogs", connections: 8, seconds: 24,
                           script: LoadReport.classifying(headers: ["Cookie": "__Host-firefly_session=\(cookie)"]), latency: true)
        }
        func accepted() -> Int { (try? stack.poolStatus().accepted_requests) ?? 0 }
        /// Holds a fault until `count` more requests have reached the pool.
        func hold(for count: Int) { let target = accepted() + count; _ = eventually(within: 8) { accepted() >= target } }
        hold(for: 300)

        // Half of the workspace's answers are 429 with Retry-After 1.
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["catalogs.list": ["rate_429": 0.5, "retry_after_seconds": 1]])
        hold(for: 200)
        // Every answer a 503: after the retry budget, callers get 503 with Retry-After.
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["catalogs.list": ["rate_503": 1.0, "retry_after_seconds": 1]])
        hold(for: 24)
        let busy = try gateway.get(alice, "/api/catalogs")
        #expect(busy.status == 503 && busy.header("Retry-After") != nil, "\(busy.status) \(busy.text.prefix(200))")
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: [String: Any]())
        hold(for: 100)
        // The workspace dies: connections refused.
        gateway.simulator.kill()
        hold(for: 24)
        let gone = try gateway.get(alice, "/api/catalogs")
        #expect(gone.status == 503 && gone.header("Retry-After") != nil, "\(gone.status) \(gone.text.prefix(200))")
        try gateway.simulator.restart()
        #expect(eventually(within: 5, every: 0.05) { (try? gateway.get(alice, "/api/catalogs").status) == 200 }, "not served within 5 s of the workspace's return")

        let report = try load.value()
        let statuses = report.statuses
        #expect(Set(statuses.keys).isSubset(of: [200, 503]), "\(report.output)")  // 5030 would be a 503 without Retry-After
        #expect((statuses[200] ?? 0) > 300, "\(report.output)")
        #expect(report.socketErrors == 0, "\(report.output)")
        #expect((report.maxLatencyMilliseconds ?? .infinity) < 4_000, "\(report.output)")
        for _ in 0..<10 { #expect(try gateway.get(alice, "/api/catalogs").status == 200) }
        // The restarted workspace forgot the token: exactly one exchange renews it for everyone.
        #expect(try gateway.tokenExchanges("org-a") <= 1)
        #expect(try stack.poolStatus().crash_respawns == 0)
        print("workspaceFaultsUnderLoad:", report.requests, "requests,", statuses, "max", report.maxLatencyMilliseconds ?? -1, "ms")
    }

    @Test("fair use: one user's long statements cannot hold the pool; others are answered at once; the excess gets 429")
    func fairUse() throws {
        let gateway = try GatewayStack("gwfair", settings: ["FIREFLY_LIMIT_USER_REQUESTS": "3", "FIREFLY_LIMIT_ORGANIZATION_REQUESTS": "5"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let (bob, _) = try gateway.signIn("bob", "bob-password")
        let cookie = "__Host-firefly_session=\(alice.sessionCookie?.value ?? "")"
        let stack = gateway.world.stack, base = gateway.base
        let statuses = Mutex<[(Int, String?)]>([])
        // 16 statements of 4 s from one user: as many as the pool has threads (2 workers × 8).
        let flood = (0..<16).map { _ in
            Background { () throws -> Void in
                let response = try stack.request("POST", "/api/sql/statements", headers: [
                    ("Cookie", cookie), ("Origin", base), ("X-CSRF-Token", csrf), ("Content-Type", "application/json")],
                    body: Array(#"{"statement":"SELECT sleep(4000)"}"#.utf8), timeoutMilliseconds: 30_000)
                statuses.withLock { $0.append((response.status, response.header("Retry-After"))) }
            }
        }
        // Another organization's user is answered at once meanwhile (3 s is a deadline, not a measurement).
        #expect(eventually(within: 5) { statuses.withLock { $0.count } >= 8 })
        for _ in 0..<5 {
            let me = try gateway.world.stack.request("GET", "/api/me", headers: [("Cookie", "__Host-firefly_session=\(bob.sessionCookie?.value ?? "")")],
                                                     timeoutMilliseconds: 3_000)
            #expect(me.status == 200)
        }
        for thread in flood { try thread.value() }
        let answered = statuses.withLock { $0 }
        let refused = answered.filter { $0.0 == 429 }
        #expect(refused.count >= 16 - 2 * 3, "\(answered)")
        #expect(refused.allSatisfy { $0.1 == "1" })
        #expect(answered.allSatisfy { $0.0 == 200 || $0.0 == 429 }, "\(answered)")
    }

    @Test("work that completed is answered even when it outlasted the request limit (no 504 inviting a duplicate)")
    func completedWorkIsAnswered() throws {
        let gateway = try GatewayStack("gwlimit", settings: ["FIREFLY_REQUEST_TIMEOUT": "1s"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let slow = try gateway.post(alice, "/api/sql/statements", csrf: csrf, json: ["statement": "SELECT sleep(2000) AS slept"])
        #expect(slow.status == 200, "\(slow.text.prefix(200))")
        #expect((slow.json["status"] as? [String: Any])?["state"] as? String == "SUCCEEDED")
        let history = try gateway.get(alice, "/api/sql/history").json["items"] as? [[String: Any]]
        #expect(history?.count == 1, "the statement ran once")
    }

    @Test("admin from a shell: test-spn exchanges a real token, users and sessions listed without secrets, org delete asks first and ends the org's sessions")
    func adminCommands() throws {
        let gateway = try GatewayStack("gwadmin")
        let (alice, _) = try gateway.signIn("alice", "alice-password")
        let (bob, _) = try gateway.signIn("bob", "bob-password")
        let tested = try gateway.world.admin(["org", "test-spn", "acme"])
        #expect(tested.contains("token exchange: ok (client org-a"), "\(tested)")
        #expect(tested.contains("catalogs: ok (3 visible"), "\(tested)")
        #expect(!tested.contains("secret-a") && !tested.contains("Bearer"), "\(tested)")
        #expect(try gateway.tokenExchanges("org-a") >= 1)
        // A principal the workspace refuses: said plainly, exit status 1.
        let wrongSecret = gateway.world.stack.directory + "/wrong-secret"
        try "not-the-secret".write(toFile: wrongSecret, atomically: true, encoding: .utf8)
        try gateway.world.admin(["org", "set-spn", "globex", "--client-id", "org-b", "--secret-file", wrongSecret])
        let refused = try Shell.run(TestStack.binDirectory + "/firefly-admin", ["org", "test-spn", "globex", "--config", gateway.world.stack.configPath],
                                    environment: TestStack.cleanEnvironment())
        #expect(refused.status == 1 && refused.output.contains("token exchange: refused (HTTP 401"), "\(refused.output)")

        let users = try gateway.world.admin(["users", "list"])
        #expect(users.contains("alice@acme.example") && users.contains("bob@globex.example"), "\(users)")
        let acmeUsers = try gateway.world.admin(["users", "list", "--org", "acme"])
        #expect(acmeUsers.contains("alice@acme.example") && !acmeUsers.contains("bob@globex.example"), "\(acmeUsers)")
        let sessions = try gateway.world.admin(["sessions", "list", "--email", "alice@acme.example"])
        let rows = sessions.split(separator: "\n").dropFirst()
        #expect(rows.count == 1 && rows.first?.contains("\tacme\t") == true, "\(sessions)")
        let stored = try gateway.world.sql("SELECT encode(id_hash, 'hex') FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'alice@acme.example'")
        #expect(!sessions.contains(stored), "the whole session hash is listed")

        let asked = try Shell.run(TestStack.binDirectory + "/firefly-admin", ["org", "delete", "globex", "--config", gateway.world.stack.configPath],
                                  environment: TestStack.cleanEnvironment())
        #expect(asked.status == 1 && asked.output.contains("Run again with --yes"), "\(asked.output)")
        #expect(try gateway.get(bob, "/api/me").status == 200, "nothing is deleted without --yes")
        let deleted = try gateway.world.admin(["org", "delete", "globex", "--yes"])
        #expect(deleted.contains("organization globex deleted with"), "\(deleted)")
        #expect(eventually(within: 5) { (try? gateway.get(bob, "/api/me").status) == 401 })
        #expect(try gateway.get(alice, "/api/me").status == 200)
        #expect(!(try gateway.world.admin(["org", "list"])).contains("globex"))

        // Every operator action is in the audit trail: who ran what, on what, with what outcome.
        let actions = try gateway.world.sql("SELECT string_agg(action || ':' || outcome, ',' ORDER BY id) FROM security_events WHERE action LIKE 'admin.%'")
        for expected in ["admin.org.test-spn:ok", "admin.org.set-spn:ok", "admin.org.test-spn:failed", "admin.org.delete:ok"] {
            #expect(actions.contains(expected), "\(actions)")
        }
        #expect(try gateway.world.sql("SELECT count(*) FROM security_events WHERE action LIKE 'admin.%' AND actor = '\(OperatorAccount.current(environment: [:]))'")
                == gateway.world.sql("SELECT count(*) FROM security_events WHERE action LIKE 'admin.%'"))
        let trail = try gateway.world.admin(["audit", "--security", "--last", "1 hour"])
        #expect(trail.contains("admin.org.delete") && trail.contains("org=globex") && trail.contains("alice@acme.example"), "\(trail)")
        #expect(!trail.contains("not-the-secret"), "\(trail)")

        // Retention: old audit rows and ended sessions go; recent ones stay; the sweep is audited.
        _ = try gateway.world.sql("""
            INSERT INTO audit_log (at, method, path_template, status, duration_ms) VALUES
                (now() - interval '400 days', 'GET', '/api/2.1/unity-catalog/catalogs', 200, 1), (now(), 'GET', '/api/2.1/unity-catalog/catalogs', 200, 1)
            """)
        _ = try gateway.world.sql("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE email = 'alice@acme.example')")
        let auditRows = try Int(gateway.world.sql("SELECT count(*) FROM audit_log")) ?? 0
        let swept = try gateway.world.admin(["sweep"])
        #expect(swept.contains("audit_log=1") && swept.contains("sessions=1"), "\(swept)")
        #expect(try Int(gateway.world.sql("SELECT count(*) FROM audit_log")) == auditRows - 1)
        #expect(try gateway.world.sql("SELECT count(*) FROM security_events WHERE action = 'admin.sweep'") == "1")
    }

    @Test("vault key rotation: add a key, re-encrypt everything, retire the old key; nothing breaks")
    func keyRotation() throws {
        let gateway = try GatewayStack("gwvault", settings: ["FIREFLY_CACHE_TTL": "0"])
        let (alice, _) = try gateway.signIn("alice", "alice-password")
        #expect(try gateway.get(alice, "/api/catalogs").status == 200)
        let keyFile = gateway.world.provider.directory + "/vault-key"
        let oldKey = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let newKey = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try "\(newKey)\n\(oldKey)\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        gateway.world.stack.signalMaster(SIGHUP)
        // Re-encrypt only once no worker of the old generation (which knows the old key alone) serves.
        #expect(eventually(within: 15) { Self.onlyCurrentGeneration(try? gateway.world.stack.poolStatus(), reloads: 1) })
        let reencrypted = try gateway.world.admin(["vault", "reencrypt"])
        #expect(reencrypted.contains("re-sealed 4 secret(s)"), "\(reencrypted)")  // 2 SPN secrets, 1 SPN token, 1 refresh token
        let status = try gateway.world.admin(["vault", "status"])
        #expect(!status.contains("key " + oldKeyID(oldKey)), "\(status)")
        try "\(newKey)\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        gateway.world.stack.signalMaster(SIGHUP)
        #expect(eventually(within: 10) { (try? gateway.world.stack.poolStatus().reloads) == 2 })
        // Sessions, the SPN secret and the cached token all open with the new key alone.
        #expect(eventually(within: 10) { (try? gateway.get(alice, "/api/catalogs").status) == 200 })
        #expect(try gateway.tokenExchanges("org-a") == 1)
        let (bob, _) = try gateway.signIn("bob", "bob-password")
        #expect(try gateway.get(bob, "/api/catalogs").status == 200)
    }

    private static func onlyCurrentGeneration(_ status: PoolStatus?, reloads: Int) -> Bool {
        guard let status, status.reloads == reloads else { return false }
        return status.workers.allSatisfy { $0.generation == status.generation }
    }

    private func oldKeyID(_ hex: String) -> String {
        String(Hex.encode(SHA256.hash(Hex.decode(hex) ?? [])).prefix(8))
    }

    @Test("apps: listed with the SPN; embed URLs carry a token bound to one app that Python's AESGCM can open and seal")
    func embedApps() throws {
        let keyHex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let keyFile = "/tmp/ff-app-proxy-key-\(UInt32.random(in: 0...UInt32.max))"
        try keyHex.write(toFile: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        let gateway = try GatewayStack("gwapps", settings: ["FIREFLY_APP_PROXY_KEY_FILE": keyFile, "FIREFLY_APP_PROXY_BASE_URL": "https://apps.localhost:8443"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        #expect(GatewayStack.names(try gateway.get(alice, "/api/apps"), "apps") == ["notebook", "vscode"])
        #expect(try gateway.post(alice, "/api/apps/vscode/embed", csrf: "wrong", json: [String: Any]()).status == 403)
        #expect(try gateway.post(alice, "/api/apps/ghost/embed", csrf: csrf, json: [String: Any]()).status == 404)
        for query in ["page_size=abc", "page_size=0", "page_size=5000", "page_token=\(String(repeating: "x", count: 3000))", "page_token=a%0Ab"] {
            #expect(try gateway.get(alice, "/api/apps?\(query)").status == 400, "\(query)")
        }
        let minted = try gateway.post(alice, "/api/apps/vscode/embed", csrf: csrf, json: [String: Any]())
        #expect(minted.status == 200, "\(minted.text)")
        let url = try #require(minted.json["url"] as? String)
        // One origin per (organization, app).
        let origin = "https://vscode-1234567890123456--acme.apps.localhost:8443"
        #expect(minted.json["origin"] as? String == origin)
        #expect(url.hasPrefix(origin + "/app-proxy/"))
        #expect(url.hasSuffix("/aws/databricksapps/vscode-1234567890123456/"))
        let expires = try #require(minted.json["expires_at"] as? Int)
        #expect(Double(expires) <= Date().timeIntervalSince1970 + 301)
        let path = String(url.dropFirst(origin.count))
        let route = try AppProxyRoute.parse(rawPath: path, allowedDomains: ["databricksapps"])

        // ProxyCore's token opens in Python, bound to the app, carrying the SPN's bearer token.
        let python = try TestStack.python
        let script = TestStack.repository + "/Tests/Conformance/envelope_interop.py"
        let opened = try Shell.succeed(python, [script, "open-bound", keyHex, route.token])
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(opened.utf8)) as? [String: Any])
        #expect(payload["app"] as? String == "vscode-1234567890123456")
        #expect(payload["slug"] as? String == "acme")
        #expect((payload["sid"] as? String)?.count == 64)
        #expect((payload["nonce"] as? String)?.count == 32)
        // Two mints, two one-time values.
        let again = try gateway.post(alice, "/api/apps/vscode/embed", csrf: csrf, json: [String: Any]())
        #expect((again.json["url"] as? String) != url)
        #expect((payload["tok"] as? String)?.split(separator: ".").count == 3)
        let envelope = try TokenEnvelope(keyHex: keyHex)
        #expect(try envelope.open(route, now: Date().timeIntervalSince1970).bearerToken == payload["tok"] as? String)

        // Python-sealed tokens open in ProxyCore: the bound format for its app only, the seed format
        // only under an explicit allowlist.
        let bound = try Shell.succeed(python, [script, "seal-bound", keyHex, #"{"v":2,"org":1,"slug":"acme","provider":"aws","domain":"databricksapps","app":"notebook-1","exp":9999999999,"uexp":9999999999,"sid":"\#(String(repeating: "ab", count: 32))","nonce":"\#(String(repeating: "cd", count: 16))","tok":"t"}"#])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let boundRoute = try AppProxyRoute.parse(rawPath: "/app-proxy/\(bound)/aws/databricksapps/notebook-1/", allowedDomains: ["databricksapps"])
        #expect(try envelope.open(boundRoute, now: Date().timeIntervalSince1970).bearerToken == "t")
        let hijack = try AppProxyRoute.parse(rawPath: "/app-proxy/\(bound)/aws/databricksapps/evil/", allowedDomains: ["databricksapps"])
        #expect(throws: EnvelopeRefusal.forbidden("this app token was issued for another app")) { try envelope.open(hijack, now: Date().timeIntervalSince1970) }
        let seed = try Shell.succeed(python, [script, "seal-seed", keyHex, "plain-oauth-token"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let seedRoute = try AppProxyRoute.parse(rawPath: "/app-proxy/\(seed)/aws/databricksapps/vscode/", allowedDomains: ["databricksapps"])
        #expect(throws: EnvelopeRefusal.self) { try envelope.open(seedRoute, now: Date().timeIntervalSince1970) }
        let policy = LegacyTokenPolicy(enabled: true, providers: ["aws"], domains: ["databricksapps"], appPatterns: ["vscode"])
        #expect(try envelope.open(seedRoute, now: Date().timeIntervalSince1970, legacy: policy).bearerToken == "plain-oauth-token")
    }

    @Test("small uploads stream to a volume and to DBFS unaltered; rows record them for their owner only")
    func smallUploads() throws {
        let gateway = try GatewayStack("gwupload", settings: ["FIREFLY_UPLOAD_SMALL_LIMIT": "4m"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let (bob, bobCSRF) = try gateway.signIn("bob", "bob-password")
        func put(_ browser: Browser, _ csrf: String, _ path: String, _ body: [UInt8], overwrite: String = "true") throws -> HTTPResponse {
            try browser.send("PUT", gateway.base + "/api/files?overwrite=\(overwrite)&path=" + Browser.formEncode(path),
                             headers: [("Origin", gateway.base), ("X-CSRF-Token", csrf), ("Content-Type", "application/octet-stream")], body: body)
        }
        let data = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255) }
        let stored = try put(alice, csrf, "/Volumes/main/default/uploads/report dir/data.bin", data)
        #expect(stored.status == 201, "\(stored.text)")
        #expect(stored.json["sha256"] as? String == Hex.encode(SHA256.hash(data)))
        let token = try gateway.simulator.token()
        let back = try gateway.simulator.send("GET", "/api/2.0/fs/files/Volumes/main/default/uploads/report%20dir/data.bin", token: token)
        #expect(SHA256.hash(back.body) == SHA256.hash(data))

        let blocks = (0..<((5 << 19) + 17)).map { _ in UInt8.random(in: 0...255) }
        #expect(try put(alice, csrf, "dbfs:/FileStore/firefly/acme/blocks.bin", blocks).status == 201)
        let onDisk = try #require(FileManager.default.contents(atPath: gateway.simulator.directory + "/data/dbfs/FileStore/firefly/acme/blocks.bin"))
        #expect(SHA256.hash(Array(onDisk)) == SHA256.hash(blocks))
        let counters = try gateway.simulator.send("GET", "/sim/admin/counters").json["requests"] as? [String: Int]
        #expect(counters?["dbfs.add-block"] == 3)  // 2.5 MiB in blocks of at most 1 MiB

        // "Already exists" is one answer for volumes (Files API 409) and DBFS (400 RESOURCE_ALREADY_EXISTS).
        let exists = try put(alice, csrf, "/Volumes/main/default/uploads/report dir/data.bin", [1, 2, 3], overwrite: "false")
        #expect(exists.status == 409)
        #expect((exists.json["error"] as? [String: Any])?["code"] as? String == "already_exists")
        let dbfsExists = try put(alice, csrf, "dbfs:/FileStore/firefly/acme/blocks.bin", [1, 2, 3], overwrite: "false")
        #expect(dbfsExists.status == 409)
        #expect((dbfsExists.json["error"] as? [String: Any])?["code"] as? String == "already_exists")
        #expect(try put(alice, csrf, "/Volumes/main/default/uploads/../escape.bin", [1]).status == 400)
        #expect(try put(alice, csrf, "/etc/passwd", [1]).status == 400)
        // DBFS is one file system for every organization of a workspace: each writes to its own folder only.
        for path in ["dbfs:/firefly/blocks.bin", "dbfs:/FileStore/firefly/globex/x.bin", "dbfs:/FileStore/firefly/acme", "dbfs:/FileStore/firefly/acmex/y.bin",
                     "dbfs:/databricks/init/evil.sh", "dbfs:/FileStore/firefly/acme/../globex/z.bin"] {
            let response = try put(alice, csrf, path, [1])
            #expect(response.status == (path.contains("..") ? 400 : 403), "\(path) answered \(response.status)")
        }
        #expect(try put(bob, bobCSRF, "dbfs:/FileStore/firefly/acme/blocks.bin", [6, 6, 6]).status == 403)
        #expect(try put(bob, bobCSRF, "dbfs:/FileStore/firefly/globex/mine.bin", [1]).status == 201)
        #expect(try put(alice, csrf, "/Volumes/main/default/uploads/big.bin", Array(repeating: 0, count: 5 << 20)).status == 413)
        #expect(try put(alice, "wrong", "/Volumes/main/default/uploads/x.bin", [1]).status == 403)
        // bob's principal has no grant on main: refused by the workspace, recorded as failed.
        #expect(try put(bob, bobCSRF, "/Volumes/main/default/uploads/bob.bin", [1, 2]).status == 403)

        let id = try #require(stored.json["id"] as? String)
        let mine = try gateway.get(alice, "/api/uploads/\(id)")
        #expect(mine.json["state"] as? String == "done")
        #expect(mine.json["size"] as? Int == 3 << 20)
        #expect(try gateway.get(bob, "/api/uploads/\(id)").status == 404)
        let listed = (try gateway.get(alice, "/api/uploads").json["uploads"] as? [[String: Any]]) ?? []
        #expect(listed.filter { $0["state"] as? String == "done" }.count == 2)
        #expect(listed.contains { $0["state"] as? String == "failed" })
        let bobs = (try gateway.get(bob, "/api/uploads").json["uploads"] as? [[String: Any]]) ?? []
        #expect(bobs.compactMap { $0["state"] as? String }.sorted() == ["done", "failed"])
    }

    @Test("files in volumes and DBFS folders: listed (folders first, paged), downloaded streamed and exact, deleted; same path rules")
    func browseFiles() throws {
        let gateway = try GatewayStack("gwfiles", settings: ["FIREFLY_UPLOAD_SMALL_LIMIT": "4m"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let (bob, _) = try gateway.signIn("bob", "bob-password")
        let headers = [("Origin", gateway.base), ("X-CSRF-Token", csrf), ("Content-Type", "application/octet-stream")]
        let data = (0..<((5 << 19) + 3)).map { _ in UInt8.random(in: 0...255) }
        for path in ["/Volumes/main/default/uploads/browse/é data.bin", "/Volumes/main/default/uploads/browse/inner/a.txt",
                     "dbfs:/FileStore/firefly/acme/browse/blocks.bin"] {
            #expect(try alice.send("PUT", gateway.base + "/api/files?overwrite=true&path=" + Browser.formEncode(path), headers: headers, body: data).status == 201)
        }
        let listing = try gateway.get(alice, "/api/files/list?path=" + Browser.formEncode("/Volumes/main/default/uploads/browse/"))
        #expect(listing.status == 200, "\(listing.text)")
        let items = (listing.json["items"] as? [[String: Any]]) ?? []
        #expect(items.compactMap { $0["name"] as? String } == ["inner", "é data.bin"])
        #expect(items.first?["is_directory"] as? Bool == true)
        #expect(items.last?["path"] as? String == "/Volumes/main/default/uploads/browse/é data.bin")
        #expect(items.last?["size"] as? Int == data.count)
        #expect((items.last?["modified_at"] as? String)?.hasSuffix("Z") == true)

        let download = try gateway.get(alice, "/api/files?path=" + Browser.formEncode("/Volumes/main/default/uploads/browse/é data.bin"))
        #expect(download.status == 200)
        #expect(SHA256.hash(download.body) == SHA256.hash(data))
        #expect(download.header("Content-Disposition") == "attachment; filename=\"_ data.bin\"; filename*=UTF-8''%C3%A9%20data.bin")
        #expect(download.header("Content-Type") == "application/octet-stream")
        let dbfs = try gateway.get(alice, "/api/files?path=" + Browser.formEncode("dbfs:/FileStore/firefly/acme/browse/blocks.bin"))
        #expect(SHA256.hash(dbfs.body) == SHA256.hash(data))  // three reads of at most 1 MiB
        let dbfsListing = try gateway.get(alice, "/api/files/list?path=" + Browser.formEncode("dbfs:/FileStore/firefly/acme/browse"))
        #expect(((dbfsListing.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String } == ["dbfs:/FileStore/firefly/acme/browse/blocks.bin"])

        // The same rules as uploads: another organization's DBFS folder, dot segments, a missing file, a grant the SPN lacks.
        #expect(try gateway.get(bob, "/api/files/list?path=" + Browser.formEncode("dbfs:/FileStore/firefly/acme/browse")).status == 403)
        #expect(try gateway.get(alice, "/api/files?path=" + Browser.formEncode("/Volumes/main/default/uploads/../x")).status == 400)
        #expect(try gateway.get(alice, "/api/files?path=" + Browser.formEncode("/Volumes/main/default/uploads/browse/none.bin")).status == 404)
        #expect(try gateway.get(bob, "/api/files/list?path=" + Browser.formEncode("/Volumes/main/default/uploads")).status == 403)
        #expect(try gateway.get(alice, "/api/files/list?path=" + Browser.formEncode("/Volumes/main/default")).status == 400)

        let delete = { (browser: Browser, path: String, token: String) in
            try browser.send("DELETE", gateway.base + "/api/files?path=" + Browser.formEncode(path), headers: [("Origin", gateway.base), ("X-CSRF-Token", token)])
        }
        #expect(try delete(alice, "/Volumes/main/default/uploads/browse/é data.bin", "wrong").status == 403)
        #expect(try delete(alice, "/Volumes/main/default/uploads/browse/é data.bin", csrf).status == 204)
        #expect(try delete(alice, "dbfs:/FileStore/firefly/acme/browse", csrf).status == 400)  // a folder
        #expect(try delete(alice, "dbfs:/FileStore/firefly/acme/browse/blocks.bin", csrf).status == 204)
        let after = try gateway.get(alice, "/api/files/list?path=" + Browser.formEncode("/Volumes/main/default/uploads/browse"))
        #expect(((after.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["inner"])
    }

    @Test("resumable uploads (tus): chunks with checksums, resume after a pool reload and killed workers, forward retried and read back, cancel, ownership")
    func resumableUploads() throws {
        let uploadDirectory = "/tmp/ff-tus-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: uploadDirectory) }
        let gateway = try GatewayStack("gwtus", settings: ["FIREFLY_UPLOAD_DIRECTORY": uploadDirectory])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let (bob, bobCSRF) = try gateway.signIn("bob", "bob-password")
        func tus(_ browser: Browser, _ method: String, _ path: String, csrf: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPResponse {
            try browser.send(method, gateway.base + path, headers: [("Tus-Resumable", "1.0.0"), ("Origin", gateway.base), ("X-CSRF-Token", csrf)] + headers, body: body)
        }
        let options = try tus(alice, "OPTIONS", "/api/uploads", csrf: csrf)
        #expect(options.status == 204)
        #expect(options.header("Tus-Extension")?.contains("checksum") == true)
        #expect(try alice.send("POST", gateway.base + "/api/uploads", headers: [("Origin", gateway.base), ("X-CSRF-Token", csrf), ("Upload-Length", "1")]).status == 412)

        let data = (0..<((3 << 20) + 1)).map { _ in UInt8.random(in: 0...255) }
        let metadata = "path " + Data("/Volumes/main/default/uploads/big/r.bin".utf8).base64EncodedString() + ",filename " + Data("r.bin".utf8).base64EncodedString()
            + ",verify " + Data("sha256".utf8).base64EncodedString()
        let created = try tus(alice, "POST", "/api/uploads", csrf: csrf, headers: [("Upload-Length", "\(data.count)"), ("Upload-Metadata", metadata)])
        #expect(created.status == 201, "\(created.text)")
        let location = try #require(created.header("Location"))
        #expect(created.header("Upload-Expires")?.hasSuffix("GMT") == true)
        func chunk(_ range: Range<Int>, offset: Int, checksum: [UInt8]? = nil) throws -> HTTPResponse {
            let bytes = Array(data[range])
            let sum = Data(checksum ?? SHA256.hash(bytes)).base64EncodedString()
            return try tus(alice, "PATCH", location, csrf: csrf, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "\(offset)"),
                                                                           ("Upload-Checksum", "sha256 \(sum)")], body: bytes)
        }
        let first = try chunk(0..<(1 << 20), offset: 0)
        #expect(first.status == 204, "\(first.text)")
        #expect(first.header("Upload-Offset") == "\(1 << 20)")
        #expect(try chunk((1 << 20)..<(2 << 20), offset: 0).status == 409)
        #expect(try chunk((1 << 20)..<(2 << 20), offset: 1 << 20, checksum: Array(repeating: 0, count: 32)).status == 460)
        #expect(try tus(bob, "HEAD", location, csrf: bobCSRF).status == 404)

        // The pool is replaced mid-upload: the offset survives and the upload resumes.
        gateway.world.stack.signalMaster(SIGHUP)
        #expect(eventually(within: 10) { (try? gateway.world.stack.poolStatus().reloads) == 1 })
        let resumed = try tus(alice, "HEAD", location, csrf: csrf)
        #expect(resumed.header("Upload-Offset") == "\(1 << 20)")
        // Every worker is killed (SIGKILL): the replacements resume from the confirmed offset.
        let workers = try gateway.world.stack.poolStatus().workers.map(\.pid)
        for pid in workers { kill(pid, SIGKILL) }
        #expect(eventually(within: 10) { ((try? gateway.world.stack.poolStatus().workers.map(\.pid)) ?? workers).allSatisfy { !workers.contains($0) } })
        #expect(try tus(alice, "HEAD", location, csrf: csrf).header("Upload-Offset") == "\(1 << 20)")

        // The forward meets one 503 and is retried from the staged copy.
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["files.put": ["rate_503": 0.5]])
        // Rates are deterministic (every second call fails): one call of our own first, so that
        // FireFly's first forward attempt is the one refused.
        _ = try gateway.simulator.send("PUT", "/api/2.0/fs/files/Volumes/main/default/uploads/warm.bin", token: try gateway.simulator.token(), body: [1])
        let before = (try gateway.simulator.send("GET", "/sim/admin/counters").json["requests"] as? [String: Int])?["files.put"] ?? 0
        #expect(try chunk((1 << 20)..<(2 << 20), offset: 1 << 20).status == 204)
        let last = try chunk((2 << 20)..<data.count, offset: 2 << 20)
        #expect(last.status == 204, "\(last.text)")
        // The forward runs outside the request: the upload is done once a forwarder has sent it.
        let id = String(location.split(separator: "/").last ?? "")
        #expect(eventually(within: 20) { (try? gateway.get(alice, "/api/uploads/\(id)").json["state"] as? String) == "done" })
        #expect(try tus(alice, "HEAD", location, csrf: csrf).header("Upload-State") == "done")
        let after = (try gateway.simulator.send("GET", "/sim/admin/counters").json["requests"] as? [String: Int])?["files.put"] ?? 0
        #expect(after - before == 2)
        let reads = (try gateway.simulator.send("GET", "/sim/admin/counters").json["requests"] as? [String: Int])?["files.get"] ?? 0
        #expect(reads == 1)  // verify=sha256: the object was read back once
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: [String: Any]())
        let progress = try gateway.get(alice, "/api/uploads/\(id)")
        #expect(progress.json["state"] as? String == "done", "\(progress.text)")
        #expect(progress.json["sha256"] as? String == Hex.encode(SHA256.hash(data)))
        #expect(progress.json["forwarded_bytes"] as? Int == data.count)
        let stored = try gateway.simulator.send("GET", "/api/2.0/fs/files/Volumes/main/default/uploads/big/r.bin", token: try gateway.simulator.token())
        #expect(SHA256.hash(stored.body) == SHA256.hash(data))
        #expect(!FileManager.default.fileExists(atPath: uploadDirectory + "/\(id).part"))

        // Cancel another upload: its staged data goes.
        let other = try tus(alice, "POST", "/api/uploads", csrf: csrf, headers: [("Upload-Length", "10"), ("Upload-Metadata", metadata)])
        let otherLocation = try #require(other.header("Location"))
        let otherID = String(otherLocation.split(separator: "/").last ?? "")
        #expect(FileManager.default.fileExists(atPath: uploadDirectory + "/\(otherID).part"))
        #expect(try tus(bob, "DELETE", otherLocation, csrf: bobCSRF).status == 404)
        #expect(try tus(alice, "DELETE", otherLocation, csrf: csrf).status == 204)
        #expect(!FileManager.default.fileExists(atPath: uploadDirectory + "/\(otherID).part"))
        #expect(try gateway.get(alice, "/api/uploads/\(otherID)").json["error"] as? String == "cancelled")
    }

    @Test("upload staging disk full (a 6 MiB file system): 507 at creation or mid-chunk, the offset kept, nothing else affected, resumed once there is room")
    func stagingDiskFull() throws {
        // A small file system of its own for the staging folder (mounting needs root, as in CI).
        let uploadDirectory = "/tmp/ff-full-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: uploadDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: uploadDirectory) }
        try #require(getuid() == 0, "this test mounts a small tmpfs for the staging folder and needs root")
        try Shell.succeed("/bin/mount", ["-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", uploadDirectory])
        defer { _ = try? Shell.run("/bin/umount", [uploadDirectory]) }
        let gateway = try GatewayStack("gwfull", settings: ["FIREFLY_UPLOAD_DIRECTORY": uploadDirectory, "FIREFLY_UPLOAD_FOLLOW_IDLE_TIMEOUT": "0"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        func tus(_ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPResponse {
            try alice.send(method, gateway.base + path, headers: [("Tus-Resumable", "1.0.0"), ("Origin", gateway.base), ("X-CSRF-Token", csrf)] + headers, body: body)
        }
        func create(_ length: Int, _ path: String) throws -> HTTPResponse {
            try tus("POST", "/api/uploads", headers: [("Upload-Length", "\(length)"), ("Upload-Metadata", "path " + Data(path.utf8).base64EncodedString())])
        }
        let data = (0..<(4 << 20)).map { _ in UInt8.random(in: 0...255) }
        let created = try create(data.count, "/Volumes/main/default/uploads/full/a.bin")
        #expect(created.status == 201, "\(created.text)")
        let location = try #require(created.header("Location"))

        // A second 4 MiB upload cannot fit beside the first one's promised bytes: refused at once.
        let second = try create(data.count, "/Volumes/main/default/uploads/full/b.bin")
        #expect(second.status == 507, "\(second.text)")
        #expect((second.json["error"] as? [String: Any])?["code"] as? String == "staging_full" && second.header("Retry-After") != nil)

        // Something else fills the disk: the chunk fails midway with 507, its bytes are dropped,
        // the upload keeps its offset.
        let filler = uploadDirectory + "/filler"
        #expect(FileManager.default.createFile(atPath: filler, contents: Data(repeating: 7, count: 3 << 20)))
        let patch = { () throws -> HTTPResponse in
            try tus("PATCH", location, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0"),
                                                 ("Upload-Checksum", "sha256 " + Data(SHA256.hash(data)).base64EncodedString())], body: data)
        }
        let full = try patch()
        #expect(full.status == 507, "\(full.status) \(full.text.prefix(300))")
        #expect((full.json["error"] as? [String: Any])?["code"] as? String == "staging_full" && full.header("Upload-Offset") == "0")
        #expect(try tus("HEAD", location).header("Upload-Offset") == "0")
        let id = String(location.split(separator: "/").last ?? "")
        #expect(((try? FileManager.default.attributesOfItem(atPath: uploadDirectory + "/\(id).part")[.size] as? Int) ?? -1) == 0)

        // Everything that does not stage is unaffected: listings, a small upload streamed through.
        #expect(try gateway.get(alice, "/api/catalogs").status == 200)
        let small = try alice.send("PUT", gateway.base + "/api/files?overwrite=true&path=" + Browser.formEncode("/Volumes/main/default/uploads/full/small.txt"),
                                   headers: [("Origin", gateway.base), ("X-CSRF-Token", csrf), ("Content-Type", "application/octet-stream")], body: Array("small".utf8))
        #expect(small.status == 201, "\(small.text)")

        // Room again: the same chunk goes through and the upload completes, byte for byte.
        try FileManager.default.removeItem(atPath: filler)
        let resumed = try patch()
        #expect(resumed.status == 204, "\(resumed.text)")
        #expect(eventually(within: 20) { (try? gateway.get(alice, "/api/uploads/\(id)").json["state"] as? String) == "done" })
        let stored = try gateway.simulator.send("GET", "/api/2.0/fs/files/Volumes/main/default/uploads/full/a.bin", token: try gateway.simulator.token())
        #expect(SHA256.hash(stored.body) == SHA256.hash(data))
        #expect(try create(data.count, "/Volumes/main/default/uploads/full/b.bin").status == 201)
    }

    @Test("upload quota is reserved at creation and released by cancel; one writer per upload; lost or abandoned staging handled")
    func uploadQuotaAndStaging() throws {
        let uploadDirectory = "/tmp/ff-tus-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: uploadDirectory) }
        let gateway = try GatewayStack("gwquota", settings: ["FIREFLY_UPLOAD_DIRECTORY": uploadDirectory, "FIREFLY_UPLOAD_USER_QUOTA": "20m"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        func tus(_ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPResponse {
            try alice.send(method, gateway.base + path, headers: [("Tus-Resumable", "1.0.0"), ("Origin", gateway.base), ("X-CSRF-Token", csrf)] + headers, body: body)
        }
        func create(_ size: Int, path: String = "/Volumes/main/default/uploads/q.bin") throws -> HTTPResponse {
            try tus("POST", "/api/uploads", headers: [("Upload-Length", "\(size)"), ("Upload-Metadata", "path " + Data(path.utf8).base64EncodedString())])
        }
        func patch(_ location: String, offset: Int, _ bytes: [UInt8]) throws -> HTTPResponse {
            try tus("PATCH", location, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "\(offset)")], body: bytes)
        }
        func state(_ location: String) throws -> String? {
            try gateway.get(alice, "/api/uploads/\(location.split(separator: "/").last ?? "")").json["state"] as? String
        }

        // Six 5 MiB uploads declared, no byte sent yet: the fifth no longer fits a 20 MiB quota.
        var locations: [String] = []
        for index in 0..<4 {
            let created = try create(5 << 20)
            #expect(created.status == 201, "upload \(index): \(created.text)")
            locations.append(try #require(created.header("Location")))
        }
        #expect(try create(10, path: "dbfs:/FileStore/firefly/globex/x.bin").status == 403)
        let refused = try create(5 << 20)
        #expect(refused.status == 413)
        #expect(refused.text.contains("quota"))
        // A cancelled upload gives its reservation back at once.
        #expect(try tus("DELETE", locations[0]).status == 204)
        #expect(try state(locations[0]) == "cancelled")
        let replacement = try tus("POST", "/api/uploads/", headers: [("Upload-Length", "\(5 << 20)"),
                                                                    ("Upload-Metadata", "path " + Data("/Volumes/main/default/uploads/q.bin".utf8).base64EncodedString())])
        #expect(replacement.status == 201, "the endpoint with its trailing slash: \(replacement.text)")
        #expect(try tus("DELETE", locations[0]).status == 409)

        // Eight PATCHes at the same offset at once (a client retrying after a timeout): one wins,
        // the others get 409, and the staged bytes are exactly the winner's.
        let target = locations[1]
        let chunks = (0..<8).map { index in [UInt8](repeating: UInt8(index + 1), count: 2 << 20) }
        let answers = Mutex<[(Int, Int)]>([])
        let done = DispatchGroup()
        let cookie = "__Host-firefly_session=\(alice.sessionCookie?.value ?? "")"
        let stack = gateway.world.stack, base = gateway.base
        for index in chunks.indices {
            done.enter()
            Thread.detachNewThread {
                let status = (try? stack.request("PATCH", target, headers: [
                    ("Tus-Resumable", "1.0.0"), ("Origin", base), ("X-CSRF-Token", csrf), ("Cookie", cookie),
                    ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")], body: chunks[index]).status) ?? 0
                answers.withLock { $0.append((index, status)) }
                done.leave()
            }
        }
        done.wait()
        let answered = answers.withLock { $0 }
        let winners = answered.filter { $0.1 == 204 }
        #expect(winners.count == 1, "\(answered)")
        #expect(answered.allSatisfy { $0.1 == 204 || $0.1 == 409 }, "\(answered)")
        let id = String(target.split(separator: "/").last ?? "")
        let staged = FileManager.default.contents(atPath: uploadDirectory + "/\(id).part").map(Array.init) ?? []
        #expect(try tus("HEAD", target).header("Upload-Offset") == "\(2 << 20)")
        // (Digests compared, not the bytes: a failing comparison of two 2 MiB arrays would be diffed for ages.)
        #expect(staged.count == 2 << 20)
        if let winner = winners.first { #expect(SHA256.hash(staged) == SHA256.hash(chunks[winner.0])) }

        // The staged copy vanishes (a crash before it reached the disk): never zero-filled; the upload fails clearly.
        try FileManager.default.removeItem(atPath: uploadDirectory + "/\(id).part")
        let lost = try patch(target, offset: 2 << 20, [UInt8](repeating: 9, count: 1024))
        #expect(lost.status == 410, "\(lost.text)")
        #expect(try state(target) == "failed")

        // A failed upload keeps its reservation until cancelled or swept; the sweep counts from its
        // last change and removes what was staged.
        #expect(try tus("DELETE", locations[3]).status == 204)
        let failing = try create(1024, path: "/Volumes/main/missing/nowhere/x.bin")
        let failingLocation = try #require(failing.header("Location"))
        #expect(try patch(failingLocation, offset: 0, [UInt8](repeating: 7, count: 1024)).status == 204)
        #expect(eventually(within: 20) { (try? state(failingLocation)) == "failed" })
        // A tus client asking about it learns it failed (never a complete-looking offset).
        #expect(try tus("HEAD", failingLocation).status == 410)
        let failingID = String(failingLocation.split(separator: "/").last ?? "")
        #expect(FileManager.default.fileExists(atPath: uploadDirectory + "/\(failingID).part"))
        _ = try gateway.world.sql("UPDATE uploads SET updated_at = now() - interval '2 days' WHERE id = '\(failingID)'")
        // An upload still receiving whose last chunk came recently is not swept, however old it is.
        let busy = locations[2]
        _ = try gateway.world.sql("UPDATE uploads SET created_at = now() - interval '2 days' WHERE id = '\(busy.split(separator: "/").last ?? "")'")
        #expect(try tus("DELETE", try #require(try create(1).header("Location"))).status == 204)  // any creation sweeps
        #expect(try state(failingLocation) == "expired")
        #expect(!FileManager.default.fileExists(atPath: uploadDirectory + "/\(failingID).part"))
        #expect(try state(busy) == "receiving")
    }

    @Test("uploads are forwarded outside the request: a crawling workspace, a forwarder that dies, a failure and its retry")
    func backgroundForwarding() throws {
        let uploadDirectory = "/tmp/ff-tus-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: uploadDirectory) }
        // A 3 s Databricks time limit: the old forward (one request, a whole-transfer limit) could not
        // have sent 2 MiB at 150 KB/s.
        let gateway = try GatewayStack("gwfwd", settings: ["FIREFLY_UPLOAD_DIRECTORY": uploadDirectory, "FIREFLY_DATABRICKS_TIMEOUT": "3s",
                                                           "FIREFLY_DATABRICKS_RETRY_BUDGET": "1s"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        func tus(_ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPResponse {
            try alice.send(method, gateway.base + path, headers: [("Tus-Resumable", "1.0.0"), ("Origin", gateway.base), ("X-CSRF-Token", csrf)] + headers, body: body)
        }
        func upload(_ data: [UInt8], to path: String) throws -> String {
            let created = try tus("POST", "/api/uploads", headers: [("Upload-Length", "\(data.count)"), ("Upload-Metadata", "path " + Data(path.utf8).base64EncodedString())])
            let location = try #require(created.header("Location"), "\(created.text)")
            let patched = try tus("PATCH", location, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")], body: data)
            #expect(patched.status == 204, "\(patched.text)")
            return location
        }
        func row(_ location: String) -> [String: Any] {
            (try? gateway.get(alice, "/api/uploads/\(location.split(separator: "/").last ?? "")").json) ?? [:]
        }
        let data = (0..<(2 << 20)).map { _ in UInt8.random(in: 0...255) }
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["files.put": ["bytes_per_second": 150_000]])
        let crawling = try upload(data, to: "/Volumes/main/default/uploads/crawl.bin")
        // The last PATCH was answered at once; the forward moves on its own, and its progress shows.
        #expect(eventually(within: 10) { (row(crawling)["forwarded_bytes"] as? Int ?? 0) > 0 }, "\(row(crawling))")
        #expect(row(crawling)["state"] as? String == "forwarding")

        // Every worker dies mid-transfer: the lease runs out and a new worker sends it again.
        let workers = try gateway.world.stack.poolStatus().workers.map(\.pid)
        for pid in workers { kill(pid, SIGKILL) }
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: [String: Any]())
        #expect(eventually(within: 60) { row(crawling)["state"] as? String == "done" }, "\(row(crawling))")
        let stored = try gateway.simulator.send("GET", "/api/2.0/fs/files/Volumes/main/default/uploads/crawl.bin", token: try gateway.simulator.token())
        #expect(SHA256.hash(stored.body) == SHA256.hash(data))

        // Databricks refuses every attempt: the upload fails visibly (HEAD 410), keeps its copy, and a
        // retry sends it once Databricks is back.
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["files.put": ["rate_503": 1.0, "retry_after_seconds": 1]])
        let refused = try upload(Array(data.prefix(1000)), to: "/Volumes/main/default/uploads/refused.bin")
        #expect(eventually(within: 30) { row(refused)["state"] as? String == "failed" }, "\(row(refused))")
        #expect(try tus("HEAD", refused).status == 410)
        #expect((row(refused)["error"] as? String)?.isEmpty == false)
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: [String: Any]())
        #expect(try gateway.post(alice, "/api/uploads/\(refused.split(separator: "/").last ?? "")/retry", csrf: csrf, json: [String: Any]()).status == 202)
        #expect(eventually(within: 20) { row(refused)["state"] as? String == "done" }, "\(row(refused))")
        #expect(try gateway.post(alice, "/api/uploads/\(refused.split(separator: "/").last ?? "")/retry", csrf: csrf, json: [String: Any]()).status == 409)
    }

    @Test("large uploads are forwarded while their chunks arrive; a client that pauses hands its upload back to the forwarder")
    func forwardWhileReceiving() throws {
        let uploadDirectory = "/tmp/ff-tus-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: uploadDirectory) }
        let gateway = try GatewayStack("gwfollow", settings: ["FIREFLY_UPLOAD_DIRECTORY": uploadDirectory, "FIREFLY_UPLOAD_FOLLOW_IDLE_TIMEOUT": "2s"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        func tus(_ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPResponse {
            try alice.send(method, gateway.base + path, headers: [("Tus-Resumable", "1.0.0"), ("Origin", gateway.base), ("X-CSRF-Token", csrf)] + headers, body: body)
        }
        func patch(_ location: String, _ data: [UInt8], from offset: Int, count: Int) throws {
            let chunk = Array(data[offset..<min(data.count, offset + count)])
            let patched = try tus("PATCH", location, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "\(offset)")], body: chunk)
            #expect(patched.status == 204, "\(patched.text)")
        }
        func row(_ location: String) -> [String: Any] {
            (try? gateway.get(alice, "/api/uploads/\(location.split(separator: "/").last ?? "")").json) ?? [:]
        }
        func create(_ size: Int, _ path: String) throws -> String {
            let created = try tus("POST", "/api/uploads", headers: [("Upload-Length", "\(size)"), ("Upload-Metadata", "path " + Data(path.utf8).base64EncodedString())])
            return try #require(created.header("Location"), "\(created.text)")
        }
        func stored(_ path: String) throws -> [UInt8] {
            try gateway.simulator.send("GET", "/api/2.0/fs/files" + path, token: try gateway.simulator.token()).body
        }
        let chunk = 8 << 20
        let data = (0..<(20 << 20)).map { _ in UInt8.random(in: 0...255) }

        // Bytes reach Databricks while the upload is still receiving; the last chunk leaves little to send.
        let followed = try create(data.count, "/Volumes/main/default/uploads/followed.bin")
        try patch(followed, data, from: 0, count: chunk)
        #expect(eventually(within: 10) { (row(followed)["forwarded_bytes"] as? Int ?? 0) > 0 && row(followed)["state"] as? String == "receiving" },
                "\(row(followed))")
        try patch(followed, data, from: chunk, count: chunk)
        try patch(followed, data, from: 2 * chunk, count: chunk)
        #expect(eventually(within: 30) { row(followed)["state"] as? String == "done" }, "\(row(followed))")
        #expect(SHA256.hash(try stored("/Volumes/main/default/uploads/followed.bin")) == SHA256.hash(data))
        #expect(gateway.world.stack.poolLog.contains("upload forwarded while receiving"))

        // The client pauses past the idle time: the early transfer stops (nothing is written at the
        // target), and the upload is forwarded as usual once its last chunk arrives.
        let paused = try create(data.count, "/Volumes/main/default/uploads/paused.bin")
        try patch(paused, data, from: 0, count: chunk)
        #expect(eventually(within: 10) { (row(paused)["forwarded_bytes"] as? Int ?? 0) > 0 }, "\(row(paused))")
        #expect(eventually(within: 15) { gateway.world.stack.poolLog.contains("upload follower stopped") })
        #expect(try gateway.simulator.send("HEAD", "/api/2.0/fs/files/Volumes/main/default/uploads/paused.bin", token: try gateway.simulator.token()).status == 404)
        try patch(paused, data, from: chunk, count: chunk)
        try patch(paused, data, from: 2 * chunk, count: chunk)
        #expect(eventually(within: 30) { row(paused)["state"] as? String == "done" }, "\(row(paused))")
        #expect(SHA256.hash(try stored("/Volumes/main/default/uploads/paused.bin")) == SHA256.hash(data))
    }

    @Test("tuspy uploads 1 MiB and 50 MiB files to a volume and DBFS; the stored bytes equal the source; quota refuses clearly")
    func tusClientUploads() throws {
        let uploadDirectory = "/tmp/ff-tus-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: uploadDirectory) }
        let gateway = try GatewayStack("gwtuspy", settings: ["FIREFLY_UPLOAD_DIRECTORY": uploadDirectory, "FIREFLY_UPLOAD_USER_QUOTA": "60m"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let cookie = try #require(alice.sessionCookie?.value)
        let python = try TestStack.python
        let script = TestStack.repository + "/Tests/Conformance/tus_upload.py"
        let token = try gateway.simulator.token()
        for (size, target) in [(1 << 20, "/Volumes/main/default/uploads/tus/one.bin"), (50 << 20, "/Volumes/main/default/uploads/tus/fifty.bin"),
                               ((5 << 20) + 3, "dbfs:/FileStore/firefly/acme/tus/five.bin")] {
            let result = try Shell.run(python, [script, gateway.base, cookie, csrf, gateway.world.stack.directory + "/nginx/tls/cert.pem", "\(size)", target])
            #expect(result.status == 0, "\(result.output)")
            let parts = result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
            guard parts.count == 3 else { Issue.record("unexpected output \(result.output)"); continue }
            let id = String(parts[1].split(separator: "/").last ?? "")
            #expect(eventually(within: 30) { (try? gateway.get(alice, "/api/uploads/\(id)").json["state"] as? String) == "done" })
            let row = try gateway.get(alice, "/api/uploads/\(id)")
            #expect(row.json["state"] as? String == "done", "\(row.text)")
            #expect(row.json["sha256"] as? String == String(parts[0]))
            let stored: [UInt8]
            if target.hasPrefix("dbfs:") {
                stored = Array(FileManager.default.contents(atPath: gateway.simulator.directory + "/data/dbfs/FileStore/firefly/acme/tus/five.bin") ?? Data())
            } else {
                stored = try gateway.simulator.send("GET", "/api/2.0/fs/files" + target, token: token).body
            }
            #expect(Hex.encode(SHA256.hash(stored)) == String(parts[0]))
        }
        // Staging quota: two 40 MiB uploads cannot be staged at once under a 60 MiB quota.
        func create(_ size: Int) throws -> HTTPResponse {
            try alice.send("POST", gateway.base + "/api/uploads", headers: [("Tus-Resumable", "1.0.0"), ("Origin", gateway.base), ("X-CSRF-Token", csrf),
                ("Upload-Length", "\(size)"), ("Upload-Metadata", "path " + Data("/Volumes/main/default/uploads/q.bin".utf8).base64EncodedString())])
        }
        let held = try create(40 << 20)
        let location = try #require(held.header("Location"))
        _ = try alice.send("PATCH", gateway.base + location, headers: [("Tus-Resumable", "1.0.0"), ("Origin", gateway.base), ("X-CSRF-Token", csrf),
            ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")], body: Array(repeating: 1, count: 1 << 20))
        let refused = try create(40 << 20)
        #expect(refused.status == 413)
        #expect(refused.text.contains("quota"))
        #expect(try create(5 << 30 + 1).status == 413)
    }

    @Test("tokens are renewed before they expire")
    func renewal() throws {
        let gateway = try GatewayStack("gwrenew", settings: ["FIREFLY_CACHE_TTL": "0"], simulatorSettings: ["token_lifetime_seconds": 303])
        let (alice, _) = try gateway.signIn("alice", "alice-password")
        #expect(try gateway.get(alice, "/api/catalogs").status == 200)
        #expect(try gateway.tokenExchanges("org-a") == 1)
        // Once less than 5 minutes remain (after 3 s), the next call renews the token, once.
        #expect(try eventually(within: 10, every: 0.25) {
            try gateway.get(alice, "/api/catalogs").status == 200 && gateway.tokenExchanges("org-a") == 2
        })
        #expect(try gateway.get(alice, "/api/catalogs").status == 200)
        #expect(try gateway.tokenExchanges("org-a") == 2)
    }

    @Test("DDL through FireFly invalidates the organization's cached listings on every worker")
    func cacheInvalidation() throws {
        let gateway = try GatewayStack("gwcache")
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let path = "/api/catalogs/main/schemas/default/tables"
        for _ in 0..<6 { #expect(GatewayStack.names(try gateway.get(alice, path), "tables") == []) }
        let before = (try gateway.simulator.send("GET", "/sim/admin/counters").json["requests"] as? [String: Int])?["tables.list"] ?? 0
        for _ in 0..<6 { _ = try gateway.get(alice, path) }
        let after = (try gateway.simulator.send("GET", "/sim/admin/counters").json["requests"] as? [String: Int])?["tables.list"] ?? 0
        #expect(after - before <= 2)  // hits make no Databricks call (at most one miss per worker)
        let created = try gateway.post(alice, "/api/sql/statements", csrf: csrf, json: ["statement": "CREATE TABLE main.default.fresh (a INT)"])
        #expect(created.status == 200, "\(created.text)")
        // The notification reaches every worker (no fixed wait: each worker must show the table).
        #expect(eventually(within: 5) { (0..<10).allSatisfy { _ in (try? GatewayStack.names(gateway.get(alice, path), "tables")) == ["fresh"] } })
        // Explicit revalidation.
        _ = try gateway.simulator.send("GET", "/sim/admin/counters")
        #expect(try gateway.post(alice, "/api/cache/revalidate", csrf: csrf, json: [String: Any]()).status == 200)
    }

    @Test("DDL that finishes after its request invalidates the cache when it has succeeded, not before")
    func asynchronousDDL() throws {
        let gateway = try GatewayStack("gwddl", settings: ["FIREFLY_SQL_WAIT_TIMEOUT": "0s"])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let path = "/api/catalogs/main/schemas/default/tables"
        let created = try gateway.post(alice, "/api/sql/statements", csrf: csrf,
                                       json: ["statement": "CREATE TABLE main.default.later AS SELECT sleep(1500) AS a"])
        let id = try #require(created.json["statement_id"] as? String, "\(created.text)")
        // Listed (and cached) while the DDL still runs: without the table.
        for _ in 0..<4 { #expect(GatewayStack.names(try gateway.get(alice, path), "tables") == []) }
        #expect(eventually(within: 15) {
            ((try? gateway.get(alice, "/api/sql/statements/\(id)").json["status"] as? [String: Any])?["state"] as? String) == "SUCCEEDED"
        })
        // Seen finished: the organization's cached listings are dropped on every worker.
        #expect(eventually(within: 5) { (0..<6).allSatisfy { _ in (try? GatewayStack.names(gateway.get(alice, path), "tables")) == ["later"] } })
    }

    @Test("SQL history: each user's statements with their outcome, newest first, searchable, paged; previews left out")
    func statementHistory() throws {
        let gateway = try GatewayStack("gwhist")
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let (bob, bobCSRF) = try gateway.signIn("bob", "bob-password")
        for statement in ["SELECT 1 AS one", "SELECT * FROM samples.tpch.region", "SELEC broken"] {
            _ = try gateway.post(alice, "/api/sql/statements", csrf: csrf, json: ["statement": statement])
        }
        _ = try gateway.post(bob, "/api/sql/statements", csrf: bobCSRF, json: ["statement": "SELECT 'bob'"])
        _ = try gateway.get(alice, "/api/tables/samples.tpch.region/preview?limit=5")
        let history = try gateway.get(alice, "/api/sql/history")
        #expect(history.status == 200, "\(history.text)")
        let items = try #require(history.json["items"] as? [[String: Any]])
        #expect(items.compactMap { $0["statement"] as? String } == ["SELEC broken", "SELECT * FROM samples.tpch.region", "SELECT 1 AS one"])
        #expect(items.compactMap { $0["state"] as? String } == ["FAILED", "SUCCEEDED", "SUCCEEDED"])
        #expect(items[1]["row_count"] as? Int == 5)
        #expect((items[0]["error"] as? String)?.contains("PARSE_SYNTAX_ERROR") == true)
        #expect(items.allSatisfy { ($0["statement_id"] as? String)?.isEmpty == false && $0["started_at"] is String && $0["finished_at"] is String })
        let searched = try gateway.get(alice, "/api/sql/history?q=REGION").json["items"] as? [[String: Any]]
        #expect(searched?.count == 1)
        #expect((try gateway.get(alice, "/api/sql/history?q=%25").json["items"] as? [[String: Any]])?.isEmpty == true, "% is literal")
        let page = try gateway.get(alice, "/api/sql/history?limit=2")
        let next = try #require(page.json["next_before"] as? Int)
        #expect((try gateway.get(alice, "/api/sql/history?limit=2&before=\(next)").json["items"] as? [[String: Any]])?.count == 1)
        let bobs = try gateway.get(bob, "/api/sql/history").json["items"] as? [[String: Any]]
        #expect(bobs?.compactMap { $0["statement"] as? String } == ["SELECT 'bob'"])
        for query in ["limit=0", "limit=abc", "before=-1", "before=x"] { #expect(try gateway.get(alice, "/api/sql/history?\(query)").status == 400, "\(query)") }
    }

    @Test("a CSV export that fails midway is cut, never completed with an error inside it")
    func csvExportFailure() throws {
        let gateway = try GatewayStack("gwcsvcut", settings: ["FIREFLY_DATABRICKS_RETRY_BUDGET": "1s"],
                                       simulatorSettings: ["result_chunk_bytes": 20_000, "dataset": ["trips_rows": 5_000, "tpch_orders": 100]])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let run = try gateway.post(alice, "/api/sql/statements", csrf: csrf, json: ["statement": "SELECT * FROM samples.nyctaxi.trips"])
        let id = try #require(run.json["statement_id"] as? String, "\(run.text.prefix(300))")
        #expect(eventually(within: 20) {
            ((try? gateway.get(alice, "/api/sql/statements/\(id)").json["status"] as? [String: Any])?["state"] as? String) == "SUCCEEDED"
        })
        let whole = try alice.send("GET", gateway.base + "/api/sql/statements/\(id)/result.csv")
        #expect(whole.status == 200)
        #expect(whole.body.split(separator: UInt8(ascii: "\n")).count == 5_001)
        // The workspace fails every chunk after the first: the download must break, visibly.
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["statements.chunk": ["rate_503": 1.0, "retry_after_seconds": 1]])
        for http1Only in [false, true] {
            do {
                let cut = try gateway.world.stack.request("GET", "/api/sql/statements/\(id)/result.csv",
                                                          headers: [("Cookie", "__Host-firefly_session=\(alice.sessionCookie?.value ?? "")")],
                                                          http1Only: http1Only)
                Issue.record("a failed export looked complete (\(cut.status), \(cut.body.count) bytes): \(cut.text.suffix(200))")
            } catch {
                // libcurl reports the cut transfer (HTTP/2 stream reset, or a chunked body without its end).
            }
        }
        _ = try gateway.simulator.send("PUT", "/sim/admin/faults", token: nil, json: [String: Any]())
        #expect(try gateway.get(alice, "/api/me").status == 200, "the pool serves on")
    }

    @Test("a new service principal or workspace reaches every worker at once: no old token is used")
    func organizationChanges() throws {
        let gateway = try GatewayStack("gworgchg", settings: ["FIREFLY_CACHE_TTL": "0"])
        let (alice, _) = try gateway.signIn("alice", "alice-password")
        for _ in 0..<6 { #expect(try gateway.get(alice, "/api/catalogs").status == 200) }  // tokens cached in the workers
        let secretFile = gateway.world.stack.directory + "/wrong-secret"
        try "not-the-secret".write(toFile: secretFile, atomically: true, encoding: .utf8)
        try gateway.world.admin(["org", "set-spn", "acme", "--client-id", "org-a", "--secret-file", secretFile])
        // Every worker forgets its token: the next calls exchange with the new (wrong) secret and fail.
        #expect(eventually(within: 5) { (try? gateway.get(alice, "/api/catalogs").status) == 502 })
        for _ in 0..<6 { #expect(try gateway.get(alice, "/api/catalogs").status == 502) }
        try "secret-a".write(toFile: secretFile, atomically: true, encoding: .utf8)
        try gateway.world.admin(["org", "set-spn", "acme", "--client-id", "org-a", "--secret-file", secretFile])
        #expect(eventually(within: 5) { (try? gateway.get(alice, "/api/catalogs").status) == 200 })
        // A new workspace URL drops the token: the old host's token never goes to the new host.
        let exchanges = try gateway.tokenExchanges("org-a")
        try gateway.world.admin(["org", "set-workspace", "acme", "--url", gateway.simulator.baseURL + "/", "--warehouse", "sim-warehouse-2"])
        #expect(try gateway.world.sql("SELECT count(*) FROM spn_tokens s JOIN organizations o ON o.id = s.organization_id WHERE o.slug = 'acme'") == "0")
        _ = try gateway.get(alice, "/api/catalogs")
        #expect(try gateway.tokenExchanges("org-a") == exchanges + 1)
    }

    @Test("CSV export of 1,000,000 rows, streamed; no secret in logs or the database")
    func csvExportAndSecrets() throws {
        let gateway = try GatewayStack("gwcsv", settings: ["FIREFLY_SQL_WAIT_TIMEOUT": "50s"], simulatorSettings: ["dataset": ["trips_rows": 1_000_000, "tpch_orders": 100]])
        let (alice, csrf) = try gateway.signIn("alice", "alice-password")
        let run = try gateway.post(alice, "/api/sql/statements", csrf: csrf,
                                   json: ["statement": "SELECT pickup_zip, trip_distance FROM samples.nyctaxi.trips"])
        let id = try #require(run.json["statement_id"] as? String, "\(run.text.prefix(300))")
        let succeeded = try eventually(within: 20, every: 0.2) {
            (try gateway.get(alice, "/api/sql/statements/\(id)").json["status"] as? [String: Any])?["state"] as? String == "SUCCEEDED"
        }
        #expect(succeeded)
        let csv = try alice.send("GET", gateway.base + "/api/sql/statements/\(id)/result.csv")
        #expect(csv.status == 200)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let lines = csv.text.split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1_000_001)
        #expect(lines.first == "pickup_zip,trip_distance")

        // No test secret in any log or table.
        let secrets = ["secret-a", "secret-b", OIDCProviderFixture.clientSecret,
                       try String(contentsOfFile: gateway.world.provider.directory + "/vault-key", encoding: .utf8),
                       try #require(alice.sessionCookie?.value)]
        let dump = try Shell.succeed("/usr/bin/env", ["bash", "-c", "runuser -u postgres -- pg_dump -h \(gateway.world.stack.databaseDirectory) -U firefly firefly 2>/dev/null || pg_dump -h \(gateway.world.stack.databaseDirectory) -U firefly firefly"])
        let logs = gateway.world.stack.poolLog + ((try? String(contentsOfFile: gateway.world.stack.directory + "/nginx/logs/access.log", encoding: .utf8)) ?? "")
        for secret in secrets {
            #expect(!dump.contains(secret), "a secret is in the database dump")
            #expect(!logs.contains(secret), "a secret is in the logs")
        }
        #expect(dump.contains("v2:"))  // sealed values are there
    }
}
