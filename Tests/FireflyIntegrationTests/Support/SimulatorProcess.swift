import FireflyHTTPClient
import FireflySystem
import Foundation

/// A running `firefly-workspace-sim` on a free loopback port with its own data folder, stopped
/// (SIGTERM) and removed when the test ends.
final class SimulatorProcess: @unchecked Sendable {
    let directory: String
    let port: Int
    private(set) var process: ChildProcess
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var logPath: String { directory + "/sim.log" }

    /// Starts the simulator with `settings` merged over a test configuration (two principals:
    /// `org-a` with grants on samples, main and extra; `org-b` on samples.tpch only).
    init(_ name: String, settings: [String: Any] = [:]) throws {
        directory = "/tmp/ff-sim-\(name.prefix(12))-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try LoopbackPort.findFree()
        var configuration: [String: Any] = [
            "listen": "127.0.0.1:\(port)",
            "data_directory": directory + "/data",
            "uc_default_page_size": 2,
            "result_chunk_bytes": 65536,
            "service_principals": [
                ["client_id": "org-a", "client_secret": "secret-a", "grants": ["samples", "main", "extra"]],
                ["client_id": "org-b", "client_secret": "secret-b", "grants": ["samples.tpch"]],
            ],
            "volumes": ["main.default.uploads", "extra.files.landing"],
            "apps": [["name": "vscode"], ["name": "notebook", "state": "DEPLOYING"]],
            "dataset": ["trips_rows": 20000, "tpch_orders": 3000],
        ]
        configuration.merge(settings) { $1 }
        let data = try JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: directory + "/sim.json"))
        process = try Self.launch(directory)
        do {
            try waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    private static func launch(_ directory: String, log: String = "sim.log") throws -> ChildProcess {
        try ChildProcess(executable: TestStack.binDirectory + "/firefly-workspace-sim", arguments: ["--config", directory + "/sim.json"],
                         environment: ProcessInfo.processInfo.environment, outputPath: directory + "/" + log)
    }

    private func waitUntilReady() throws {
        guard eventually(within: 30, every: 0.05, { (try? self.send("GET", "/.well-known/databricks-config").status) == 200 }) else {
            throw StackError("the simulator did not start:\n\((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        }
    }

    /// Kills the workspace at once (SIGKILL), keeping its data folder for ``restart()``.
    func kill() {
        process.send(SIGKILL)
        _ = process.waitForExit()
    }

    /// Starts the workspace again on the same port, with the same configuration and data.
    func restart() throws {
        process = try Self.launch(directory, log: "sim-restarted.log")
        try waitUntilReady()
    }

    deinit { stop() }

    func stop() {
        process.send(SIGTERM)
        if !eventually(within: 10, { !process.isRunning }) { process.send(SIGKILL) }
        _ = process.waitForExit()
        if ProcessInfo.processInfo.environment["FIREFLY_KEEP_TEST_DIRS"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// One request; `token` adds `Authorization: Bearer`.
    func send(_ method: String, _ path: String, token: String? = nil, headers: [(name: String, value: String)] = [],
              body: [UInt8]? = nil) throws -> HTTPResponse {
        let client = try HTTPClient(options: HTTPClientOptions(timeoutMilliseconds: 60_000))
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        return try client.send(HTTPRequest(method: method, url: baseURL + path, headers: all, body: body))
    }

    /// A JSON request body.
    func send(_ method: String, _ path: String, token: String?, json: Any) throws -> HTTPResponse {
        let body = try JSONSerialization.data(withJSONObject: json)
        return try send(method, path, token: token, headers: [("Content-Type", "application/json")], body: Array(body))
    }

    /// A token for a principal, by client credentials (HTTP Basic).
    func token(_ clientID: String = "org-a", _ secret: String = "secret-a") throws -> String {
        let basic = Data("\(clientID):\(secret)".utf8).base64EncodedString()
        let response = try send("POST", "/oidc/v1/token", headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")],
                                body: Array("grant_type=client_credentials&scope=all-apis".utf8))
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let token = object["access_token"] as? String else {
            throw StackError("token exchange failed: \(response.status) \(response.text)")
        }
        return token
    }
}

extension HTTPResponse {
    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
    /// Databricks' `error_code`.
    var errorCode: String? { json["error_code"] as? String }
}
