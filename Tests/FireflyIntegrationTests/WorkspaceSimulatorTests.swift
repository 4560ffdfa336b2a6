import FireflyCrypto
import FireflyHTTPClient
import FireflySystem
import Foundation
import Testing

/// The workspace simulator, driven over HTTP and by the official Databricks SDK for Python.
@Suite("Workspace simulator", .serialized, .timeLimit(.minutes(5)))
struct WorkspaceSimulatorTests {
    @Test("the official databricks-sdk runs every call FireFly makes against the simulator")
    func sdkConformance() throws {
        let simulator = try SimulatorProcess("sdk")
        let python = try TestStack.python
        let script = TestStack.repository + "/Tests/Conformance/sdk_conformance.py"
        let result = try Shell.run(python, [script, simulator.baseURL, "org-a", "secret-a", "org-b", "secret-b"])
        #expect(result.status == 0, "\(result.output)\n--- simulator log ---\n\((try? String(contentsOfFile: simulator.logPath, encoding: .utf8)) ?? "")")
        #expect(result.output.contains("CHECKS PASSED"), "\(result.output)")
    }

    @Test("OAuth: wrong secrets, missing and revoked tokens get Databricks' error shapes")
    func authentication() throws {
        let simulator = try SimulatorProcess("auth")
        let basic = Data("org-a:wrong".utf8).base64EncodedString()
        let refused = try simulator.send("POST", "/oidc/v1/token", headers: [("Authorization", "Basic \(basic)")],
                                         body: Array("grant_type=client_credentials&scope=all-apis".utf8))
        #expect(refused.status == 401)
        #expect(refused.header("Content-Type") == "application/json")
        #expect(refused.json["error"] as? String == "invalid_client")
        // Credentials in the form body work too.
        let form = try simulator.send("POST", "/oidc/v1/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                      body: Array("grant_type=client_credentials&client_id=org-b&client_secret=secret-b".utf8))
        #expect(form.status == 200)
        #expect(form.json["expires_in"] as? Int == 3600)
        #expect(try simulator.send("POST", "/oidc/v1/token", body: Array("grant_type=password".utf8)).json["error"] as? String == "unsupported_grant_type")

        #expect(try simulator.send("GET", "/api/2.1/unity-catalog/catalogs").status == 401)
        #expect(try simulator.send("GET", "/api/2.1/unity-catalog/catalogs", token: "forged.token.value").errorCode == "UNAUTHENTICATED")
        let token = try simulator.token()
        #expect(try simulator.send("GET", "/api/2.1/unity-catalog/catalogs", token: token).status == 200)
        let revoked = try simulator.send("POST", "/sim/admin/revoke", token: nil, json: ["token": token])
        #expect(revoked.json["revoked"] as? Int == 1)
        #expect(try simulator.send("GET", "/api/2.1/unity-catalog/catalogs", token: token).status == 401)
        let counters = try simulator.send("GET", "/sim/admin/counters").json
        #expect((counters["token_exchanges"] as? [String: Int])?["org-a"] == 1)
        #expect((counters["token_exchanges"] as? [String: Int])?["org-b"] == 1)
    }

    @Test("tokens expire after the configured lifetime")
    func tokenLifetime() throws {
        let simulator = try SimulatorProcess("lifetime", settings: ["token_lifetime_seconds": 1, "dataset": ["trips_rows": 100, "tpch_orders": 100]])
        let token = try simulator.token()
        #expect(try simulator.send("GET", "/api/2.0/apps", token: token).status == 200)
        #expect(try eventually(within: 5) { try simulator.send("GET", "/api/2.0/apps", token: token).status == 401 })
    }

    @Test("bad input gets Databricks' error shape and status, never a crash")
    func badInput() throws {
        let simulator = try SimulatorProcess("badinput")
        let token = try simulator.token()
        func expectError(_ response: HTTPResponse, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
            #expect(response.errorCode == code, "\(response.text)", sourceLocation: sourceLocation)
            #expect(response.json["message"] is String, sourceLocation: sourceLocation)
        }
        let statements = "/api/2.0/sql/statements"
        expectError(try simulator.send("POST", statements, token: token, json: ["statement": "SELECT 1", "warehouse_id": "sim-warehouse", "colour": "red"]), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("POST", statements, token: token, json: ["statement": 5, "warehouse_id": "sim-warehouse"]), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("POST", statements, token: token, json: ["statement": "SELECT 1", "warehouse_id": "sim-warehouse", "wait_timeout": "60s"]), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("POST", statements, token: token, json: ["statement": "SELECT 1", "warehouse_id": "nope"]), 404, "RESOURCE_DOES_NOT_EXIST")
        expectError(try simulator.send("POST", statements, token: token, headers: [("Content-Type", "application/json")], body: Array("{not json".utf8)), 400, "MALFORMED_REQUEST")
        expectError(try simulator.send("GET", statements + "/01ef0000-0000-0000-0000-000000000000", token: token), 404, "NOT_FOUND")
        // Another principal's statement does not exist for this one.
        let mine = try simulator.send("POST", statements, token: token, json: ["statement": "SELECT 1", "warehouse_id": "sim-warehouse"])
        let id = try #require(mine.json["statement_id"] as? String)
        expectError(try simulator.send("GET", statements + "/\(id)", token: try simulator.token("org-b", "secret-b")), 404, "NOT_FOUND")
        expectError(try simulator.send("GET", statements + "/\(id)/result/chunks/7", token: token), 400, "INVALID_PARAMETER_VALUE")

        let catalogs = "/api/2.1/unity-catalog/catalogs"
        expectError(try simulator.send("GET", catalogs + "?max_results=-1", token: token), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("GET", catalogs + "?max_results=ten", token: token), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("GET", catalogs + "?max_results=0&page_token=bogus", token: token), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("GET", "/api/2.1/unity-catalog/schemas", token: token), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("GET", "/api/2.1/unity-catalog/tables/samples.tpch.missing", token: token), 404, "TABLE_DOES_NOT_EXIST")
        expectError(try simulator.send("GET", "/api/2.1/unity-catalog/catalogs/nowhere", token: token), 404, "CATALOG_DOES_NOT_EXIST")
        expectError(try simulator.send("GET", "/api/2.1/unity-catalog/tables/samples.nyctaxi.trips", token: try simulator.token("org-b", "secret-b")), 403, "PERMISSION_DENIED")

        let files = "/api/2.0/fs/files"
        expectError(try simulator.send("PUT", files + "/Volumes/main/default/uploads/%2E%2E/escape", token: token, body: [1]), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("PUT", files + "/etc/passwd", token: token, body: [1]), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("PUT", files + "/Volumes/main/default/nope/a.txt", token: token, body: [1]), 404, "NOT_FOUND")
        expectError(try simulator.send("GET", files + "/Volumes/main/default/uploads/missing.txt", token: token), 404, "NOT_FOUND")
        expectError(try simulator.send("GET", "/api/2.0/fs/directories/Volumes/main/default/uploads/none", token: token), 404, "NOT_FOUND")

        let block = Data(repeating: 7, count: (1 << 20) + 1).base64EncodedString()
        expectError(try simulator.send("POST", "/api/2.0/dbfs/put", token: token, json: ["path": "/big.bin", "contents": block]), 400, "MAX_BLOCK_SIZE_EXCEEDED")
        let handle = try simulator.send("POST", "/api/2.0/dbfs/create", token: token, json: ["path": "/streamed.bin"]).json["handle"] as? Int
        #expect(handle != nil)
        expectError(try simulator.send("POST", "/api/2.0/dbfs/add-block", token: token, json: ["handle": handle ?? 0, "data": block]), 400, "MAX_BLOCK_SIZE_EXCEEDED")
        expectError(try simulator.send("POST", "/api/2.0/dbfs/add-block", token: token, json: ["handle": 999_999, "data": "AAAA"]), 404, "RESOURCE_DOES_NOT_EXIST")
        expectError(try simulator.send("POST", "/api/2.0/dbfs/close", token: token, json: ["handle": 999_999]), 404, "RESOURCE_DOES_NOT_EXIST")
        expectError(try simulator.send("POST", "/api/2.0/dbfs/put", token: token, json: ["path": "relative/path", "contents": "AAAA"]), 400, "INVALID_PARAMETER_VALUE")
        expectError(try simulator.send("POST", "/api/2.0/dbfs/put", token: token, json: ["path": "/x", "contents": "@@not base64@@"]), 400, "INVALID_PARAMETER_VALUE")
        _ = try simulator.send("POST", "/api/2.0/dbfs/put", token: token, json: ["path": "/small.bin", "contents": "AAAA"])
        expectError(try simulator.send("POST", "/api/2.0/dbfs/put", token: token, json: ["path": "/small.bin", "contents": "AAAA"]), 400, "RESOURCE_ALREADY_EXISTS")
        expectError(try simulator.send("GET", "/api/2.0/dbfs/read?path=/small.bin&length=2000000", token: token), 400, "MAX_READ_SIZE_EXCEEDED")
        expectError(try simulator.send("GET", "/api/2.0/dbfs/get-status?path=/nothing", token: token), 404, "RESOURCE_DOES_NOT_EXIST")
        expectError(try simulator.send("GET", "/api/2.0/clusters/list", token: token), 404, "ENDPOINT_NOT_FOUND")
        expectError(try simulator.send("GET", "/api/2.0/apps/ghost", token: token), 404, "RESOURCE_DOES_NOT_EXIST")

        // Still serving after all of it.
        #expect(try simulator.send("GET", catalogs, token: token).status == 200)
    }

    @Test("faults: 429 with Retry-After at the configured rate, latency, and per-endpoint counters")
    func faultsAndCounters() throws {
        let simulator = try SimulatorProcess("faults")
        let token = try simulator.token()
        let set = try simulator.send("PUT", "/sim/admin/faults", token: nil,
                                     json: ["catalogs.list": ["rate_429": 0.5, "retry_after_seconds": 3], "apps.list": ["latency_ms": 300]])
        #expect(set.status == 200)
        var statuses: [Int] = []
        for _ in 0..<6 {
            let response = try simulator.send("GET", "/api/2.1/unity-catalog/catalogs", token: token)
            statuses.append(response.status)
            if response.status == 429 {
                #expect(response.header("Retry-After") == "3")
                #expect(response.errorCode == "REQUEST_LIMIT_EXCEEDED")
            }
        }
        #expect(statuses == [200, 429, 200, 429, 200, 429])  // every second request
        let started = Date()
        #expect(try simulator.send("GET", "/api/2.0/apps", token: token).status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.3)
        _ = try simulator.send("PUT", "/sim/admin/faults", token: nil, json: ["*": ["rate_503": 1.0]])
        let unavailable = try simulator.send("GET", "/api/2.0/apps", token: token)
        #expect(unavailable.status == 503)
        #expect(unavailable.header("Retry-After") == "1")
        _ = try simulator.send("PUT", "/sim/admin/faults", token: nil, json: [String: Any]())
        let counters = try simulator.send("GET", "/sim/admin/counters").json["requests"] as? [String: Int]
        #expect(counters?["catalogs.list"] == 6)
        #expect(counters?["apps.list"] == 2)
    }

    @Test("DDL through the Statement Execution API changes what Unity Catalog lists")
    func ddlChangesCatalog() throws {
        let simulator = try SimulatorProcess("ddl", settings: ["dataset": ["trips_rows": 100, "tpch_orders": 100]])
        let token = try simulator.token()
        func run(_ sql: String) throws -> [String: Any] {
            try simulator.send("POST", "/api/2.0/sql/statements", token: token,
                               json: ["statement": sql, "warehouse_id": "sim-warehouse", "catalog": "main", "schema": "default"]).json
        }
        func tableNames() throws -> [String] {
            let listing = try simulator.send("GET", "/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=default", token: token).json
            return (listing["tables"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        #expect(try tableNames() == [])
        let created = try run("CREATE TABLE `main`.`default`.`scores` (player TEXT, points BIGINT, at TIMESTAMP)")
        #expect((created["status"] as? [String: Any])?["state"] as? String == "SUCCEEDED", "\(created)")
        #expect(try tableNames() == ["scores"])
        _ = try run("INSERT INTO scores VALUES ('ada', 42, '2026-01-02 03:04:05'), ('bob', NULL, NULL)")
        let selected = try run("SELECT player, points, at FROM default.scores ORDER BY player")
        let rows = (selected["result"] as? [String: Any])?["data_array"] as? [[Any]]
        #expect(rows?.first?.compactMap { $0 as? String } == ["ada", "42", "2026-01-02T03:04:05.000Z"])
        #expect(rows?.last?.count == 3 && rows?.last?[1] is NSNull)
        let table = try simulator.send("GET", "/api/2.1/unity-catalog/tables/main.default.scores", token: token).json
        #expect((table["columns"] as? [[String: Any]])?.map { $0["type_name"] as? String } == ["STRING", "LONG", "TIMESTAMP"])
        #expect((table["created_at"] as? Int ?? 0) > 1_700_000_000_000)
        _ = try run("DROP TABLE main.default.scores")
        #expect(try tableNames() == [])
    }

    @Test("SQL keeps to the principal's grants; SQLite's own statements (ATTACH, PRAGMA, extensions, VACUUM) are refused")
    func sqlGrants() throws {
        let simulator = try SimulatorProcess("sqlgrant", settings: ["dataset": ["trips_rows": 100, "tpch_orders": 100]])
        let granted = try simulator.token(), narrow = try simulator.token("org-b", "secret-b")
        func run(_ sql: String, token: String, catalog: String = "main", schema: String = "default") throws -> (state: String?, message: String, sqlState: String?) {
            let body = try simulator.send("POST", "/api/2.0/sql/statements", token: token,
                                          json: ["statement": sql, "warehouse_id": "sim-warehouse", "catalog": catalog, "schema": schema]).json
            let status = body["status"] as? [String: Any]
            return (status?["state"] as? String, ((status?["error"] as? [String: Any])?["message"] as? String) ?? "", status?["sql_state"] as? String)
        }
        #expect(try run("CREATE TABLE main.default.secret (v TEXT)", token: granted).state == "SUCCEEDED")
        #expect(try run("INSERT INTO main.default.secret VALUES ('a''s')", token: granted).state == "SUCCEEDED")
        // org-b holds samples.tpch only: every way of reaching main is refused, reading or writing.
        for sql in ["SELECT * FROM main.default.secret", "SELECT count(*) FROM samples.nyctaxi.trips", "INSERT INTO main.default.secret VALUES ('b')",
                    "DELETE FROM main.default.secret", "DROP TABLE main.default.secret", "CREATE TABLE main.default.planted (v TEXT)",
                    "SELECT * FROM samples.tpch.region r JOIN main.default.secret s ON 1 = 1",
                    "WITH x AS (SELECT * FROM main.default.secret) SELECT * FROM x", "ALTER TABLE main.default.secret ADD COLUMN w TEXT"] {
            let outcome = try run(sql, token: narrow, catalog: "samples", schema: "tpch")
            #expect(outcome.state == "FAILED", "\(sql)")
            #expect(outcome.message.contains("INSUFFICIENT_PERMISSIONS") && outcome.sqlState == "42501", "\(sql): \(outcome.message)")
        }
        // The same with main as the statement's default schema (SQLite's `main`).
        #expect(try run("SELECT * FROM secret", token: narrow).message.contains("INSUFFICIENT_PERMISSIONS"))
        #expect(try run("SELECT count(*) FROM region", token: narrow, catalog: "samples", schema: "tpch").state == "SUCCEEDED")
        // Not Databricks SQL, for anybody: nothing reaches the host's files.
        let outside = simulator.directory + "/outside-\(UInt32.random(in: 0...UInt32.max)).db"
        for sql in ["ATTACH DATABASE '\(outside)' AS x", "DETACH DATABASE \"samples.tpch\"", "PRAGMA writable_schema = ON", "PRAGMA table_info(secret)",
                    "SELECT load_extension('/tmp/evil')", "VACUUM INTO '\(outside)'", "  vacuum", "SELECT * FROM _firefly_tables",
                    "CREATE VIRTUAL TABLE v USING fts5(x)", "CREATE TRIGGER t AFTER INSERT ON secret BEGIN DELETE FROM secret; END"] {
            let outcome = try run(sql, token: granted)
            #expect(outcome.state == "FAILED", "\(sql)")
            #expect(outcome.sqlState == "42601" || outcome.message.contains("INSUFFICIENT_PERMISSIONS") == false, "\(sql): \(outcome.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: outside))
        let rows = try simulator.send("POST", "/api/2.0/sql/statements", token: granted,
                                      json: ["statement": "SELECT v FROM main.default.secret", "warehouse_id": "sim-warehouse"]).json
        #expect(((rows["result"] as? [String: Any])?["data_array"] as? [[String]]) == [["a's"]])
    }

    @Test("Files API: exact bytes, Range, HEAD, overwrite=false, directories")
    func filesAPI() throws {
        let simulator = try SimulatorProcess("files", settings: ["dataset": ["trips_rows": 100, "tpch_orders": 100]])
        let token = try simulator.token()
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let path = "/api/2.0/fs/files/Volumes/main/default/uploads/n%C3%A4me%20with%20space/data.bin"
        #expect(try simulator.send("PUT", path, token: token, body: bytes).status == 204)
        let whole = try simulator.send("GET", path, token: token)
        #expect(whole.status == 200)
        #expect(SHA256.hash(whole.body) == SHA256.hash(bytes))
        let part = try simulator.send("GET", path, token: token, headers: [("Range", "bytes=100-199")])
        #expect(part.status == 206)
        #expect(part.body == Array(bytes[100...199]))
        #expect(part.header("Content-Range") == "bytes 100-199/300000")
        let tail = try simulator.send("GET", path, token: token, headers: [("Range", "bytes=-10")])
        #expect(tail.body == Array(bytes.suffix(10)))
        #expect(try simulator.send("GET", path, token: token, headers: [("Range", "bytes=400000-")]).status == 416)
        let head = try simulator.send("HEAD", path, token: token)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "300000")
        #expect(head.header("Last-Modified")?.hasSuffix(" GMT") == true)
        let again = try simulator.send("PUT", path + "?overwrite=false", token: token, body: [1, 2, 3])
        #expect(again.status == 409)
        #expect(SHA256.hash(try simulator.send("GET", path, token: token).body) == SHA256.hash(bytes))
        let listing = try simulator.send("GET", "/api/2.0/fs/directories/Volumes/main/default/uploads", token: token).json
        let entry = (listing["contents"] as? [[String: Any]])?.first
        #expect(entry?["name"] as? String == "näme with space")
        #expect(entry?["is_directory"] as? Bool == true)
        #expect(try simulator.send("DELETE", "/api/2.0/fs/directories/Volumes/main/default/uploads/n%C3%A4me%20with%20space", token: token).status == 409)
        #expect(try simulator.send("DELETE", path, token: token).status == 204)
        #expect(try simulator.send("DELETE", "/api/2.0/fs/directories/Volumes/main/default/uploads/n%C3%A4me%20with%20space", token: token).status == 204)
    }
}
