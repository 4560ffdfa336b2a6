import FireflyCore
import FireflyHTTPClient
import FireflySystem
import Foundation

/// A private FireFly stack for one test: PostgreSQL and nginx started by the project's own scripts
/// (the same ones the local run uses) under a temporary folder, the shipped nginx routing, and the
/// real `firefly-fcgi` pool. Requests go through nginx over TLS like a browser's.
final class TestStack: @unchecked Sendable {
    static let repository: String = {
        // …/Tests/FireflyIntegrationTests/Support/TestStack.swift → repository root
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The project's Python (its virtual environment, made by scripts/install-deps): the outside
    /// clients the tests run. Missing, it fails the test (never a silent skip).
    static var python: String {
        get throws {
            let path = ProcessInfo.processInfo.environment["FIREFLY_PYTHON"] ?? repository + "/.venv/bin/python3"
            guard FileManager.default.isExecutableFile(atPath: path) else { throw StackError("\(path) is missing: run scripts/install-deps") }
            return path
        }
    }

    /// Where `swift build` put the executables (the test binary sits beside them).
    static let binDirectory: String = {
        if let explicit = ProcessInfo.processInfo.environment["FIREFLY_BIN_DIR"], !explicit.isEmpty { return explicit }
        return URL(fileURLWithPath: ProcessSpawner.currentExecutable()).deletingLastPathComponent().path
    }()

    let directory: String
    let databaseDirectory: String
    let databaseURL: String
    let socketPath: String
    let runtimeDirectory: String
    let configPath: String
    let poolLogPath: String
    let httpsPort: Int
    let httpPort: Int
    private(set) var master: ChildProcess?
    private var stopped = false

    /// Starts PostgreSQL (migrated), nginx and, unless told otherwise, the pool with `settings`
    /// added to the configuration file.
    init(_ name: String, settings: [String: String] = [:], startPool: Bool = true, migrate: Bool = true) throws {
        directory = "/tmp/ff-\(name.prefix(12))-\(UInt32.random(in: 0...UInt32.max))"
        databaseDirectory = directory + "/pg"
        socketPath = directory + "/fcgi.sock"
        runtimeDirectory = directory + "/run"
        configPath = directory + "/firefly.conf"
        poolLogPath = directory + "/pool.log"
        httpsPort = try LoopbackPort.findFree()
        httpPort = try LoopbackPort.findFree()
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
        _ = try Shell.which("nginx")
        databaseURL = try Shell.succeed(Self.repository + "/scripts/pg-instance", ["start", databaseDirectory])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            try writeConfiguration(settings)
            if migrate { try Shell.succeed(Self.binDirectory + "/firefly-admin", ["migrate", "--config", configPath]) }
            try Shell.succeed(Self.repository + "/scripts/nginx-instance", [
                "start", directory + "/nginx", "--https-port", "\(httpsPort)", "--http-port", "\(httpPort)",
                "--fcgi-socket", socketPath, "--proxy-socket", directory + "/proxy.sock",
            ])
            if startPool { try self.startPool() }
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    /// Writes the configuration file: test-friendly defaults plus `settings`.
    func writeConfiguration(_ settings: [String: String]) throws {
        var values = [
            "FIREFLY_LISTEN_SOCKET": socketPath,
            "FIREFLY_LISTEN_SOCKET_MODE": "0666",
            "FIREFLY_RUNTIME_DIRECTORY": runtimeDirectory,
            "FIREFLY_DATABASE_URL": databaseURL,
            "FIREFLY_POOL_WORKERS": "2",
            "FIREFLY_POOL_THREADS": "8",
            "FIREFLY_TEST_ROUTES": "true",
        ]
        values.merge(settings) { $1 }
        // Values may name the stack's HTTPS port, known only now.
        values = values.mapValues { $0.replacing("{https_port}", with: String(httpsPort)) }
        let text = "# written by the integration tests\n" + values.keys.sorted().map { "\($0)=\(values[$0] ?? "")" }.joined(separator: "\n") + "\n"
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// The environment the pool runs with: this process's, without any FIREFLY_* of its own.
    static func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FIREFLY_") && !$0.key.hasPrefix("LISTEN_") && $0.key != "NOTIFY_SOCKET" }
            .merging(extra) { $1 }
    }

    /// Starts `firefly-fcgi` and waits until it answers through nginx.
    func startPool(executable: String? = nil, arguments: [String]? = nil, environment: [String: String] = [:], waitForReady: Bool = true) throws {
        master = try ChildProcess(executable: executable ?? Self.binDirectory + "/firefly-fcgi",
                                  arguments: arguments ?? ["--config", configPath],
                                  environment: Self.cleanEnvironment(environment), outputPath: poolLogPath)
        guard waitForReady else { return }
        let ready = eventually(within: 15) { (try? poolStatus())?.state == "running" }
        guard ready else { throw StackError("the pool did not become ready:\n\(poolLog)") }
    }

    /// Sends `signal` to the master.
    /// nginx's error log (upstream failures are reported there).
    var nginxErrorLog: String {
        (try? String(contentsOfFile: directory + "/nginx/logs/error.log", encoding: .utf8)) ?? ""
    }

    func signalMaster(_ signal: Int32) {
        master?.send(signal)
    }

    /// Waits for the master to exit and returns its status.
    func waitForMasterExit(timeout: Double = 30) -> Int32? {
        guard let master else { return nil }
        guard eventually(within: timeout, { !master.isRunning }) else { return nil }
        switch master.waitForExit() {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    /// The pool's log so far.
    var poolLog: String { (try? String(contentsOfFile: poolLogPath, encoding: .utf8)) ?? "" }

    /// A request through nginx over TLS, trusting the stack's own certificate.
    func request(_ method: String = "GET", _ path: String, headers: [(name: String, value: String)] = [],
                 body: [UInt8]? = nil, host: String = "localhost", timeoutMilliseconds: Int = 15_000,
                 http1Only: Bool = false) throws -> HTTPResponse {
        let client = try HTTPClient(options: HTTPClientOptions(
            caFile: directory + "/nginx/tls/cert.pem", timeoutMilliseconds: timeoutMilliseconds,
            resolve: ["\(host):\(httpsPort):127.0.0.1"], http1Only: http1Only))
        return try client.send(HTTPRequest(method: method, url: "https://\(host):\(httpsPort)\(path)", headers: headers, body: body))
    }

    /// The pool status document, fetched through nginx from loopback.
    func poolStatus() throws -> PoolStatus {
        let response = try request("GET", "/pool-status")
        guard response.status == 200 else { throw StackError("pool status answered \(response.status): \(response.text)") }
        return try JSONDecoder().decode(PoolStatus.self, from: Data(response.body))
    }

    /// Runs `scripts/nginx-instance reload`.
    func reloadNginx() throws {
        try Shell.succeed(Self.repository + "/scripts/nginx-instance", ["reload", directory + "/nginx"])
    }

    /// Stops or starts the database server.
    func database(_ action: String) throws {
        try Shell.succeed(Self.repository + "/scripts/pg-instance", [action, databaseDirectory])
    }

    /// Runs wrk against `path` and returns its report.
    /// `url` replaces `https://localhost:<port><path>` (another host of the same nginx, say).
    func load(path: String, connections: Int, seconds: Int, threads: Int = 2, script: String? = nil, latency: Bool = false,
              url: String? = nil) throws -> LoadReport {
        let wrk = try Shell.which("wrk")
        var arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "5s"] + (latency ? ["--latency"] : [])
        if let script {
            let scriptPath = directory + "/wrk-\(UUID().uuidString).lua"
            try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            arguments += ["-s", scriptPath]
        }
        let output = try Shell.succeed(wrk, arguments + [url ?? "https://localhost:\(httpsPort)\(path)"])
        return LoadReport(output: output)
    }

    /// Stops everything and removes the folder (kept when FIREFLY_KEEP_TEST_DIRS is set).
    func shutdown() {
        guard !stopped else { return }
        stopped = true
        if let master, master.isRunning {
            master.send(SIGTERM)
            if !eventually(within: 10, { !master.isRunning }) { master.send(SIGKILL) }
            _ = master.waitForExit()
        }
        _ = try? Shell.run(Self.repository + "/scripts/nginx-instance", ["stop", directory + "/nginx"])
        _ = try? Shell.run(Self.repository + "/scripts/pg-instance", ["stop", databaseDirectory])
        if ProcessInfo.processInfo.environment["FIREFLY_KEEP_TEST_DIRS"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

/// What wrk reported.
struct LoadReport {
    let output: String

    /// Total requests completed.
    var requests: Int {
        output.split(separator: "\n").first { $0.contains("requests in") }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") } ?? 0
    }

    /// Responses with a status outside 2xx/3xx.
    var non2xx: Int {
        output.split(separator: "\n").first { $0.contains("Non-2xx or 3xx responses:") }
            .flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") } ?? 0
    }

    /// True when wrk saw connect/read/write errors or timeouts.
    var hasSocketErrors: Bool { output.contains("Socket errors:") }

    /// Connect, read and write errors and timeouts together.
    var socketErrors: Int { socketErrorCounts.values.reduce(0, +) }

    /// Read errors alone: a kept connection the server closed as the next request went out.
    var readErrors: Int { socketErrorCounts["read"] ?? 0 }

    /// Errors on connections wrk had opened: a request that hung past wrk's timeout, or a connection
    /// cut under a request (read, write, timeout). Leaves out wrk's failures to open a new TLS
    /// connection to nginx (`connect`), which no upstream of nginx takes part in.
    var errorsOnOpenConnections: Int {
        (socketErrorCounts["read"] ?? 0) + (socketErrorCounts["write"] ?? 0) + (socketErrorCounts["timeout"] ?? 0)
    }

    /// wrk's failures to open a connection (TCP or the TLS handshake with nginx).
    var connectErrors: Int { socketErrorCounts["connect"] ?? 0 }

    /// wrk's `Socket errors: connect 0, read 7, write 0, timeout 0` by kind.
    private var socketErrorCounts: [String: Int] {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("Socket errors:") }) else { return [:] }
        var counts: [String: Int] = [:]
        for field in line.split(separator: ":").dropFirst().joined().split(separator: ",") {
            let words = field.split(separator: " ")
            if words.count == 2, let count = Int(words[1]) { counts[String(words[0])] = count }
        }
        return counts
    }

    /// A wrk script that sends `headers` and counts every response by status (`status 200 1234`
    /// lines at the end; a 503 without `Retry-After` counts as status 5030).
    static func classifying(headers: [String: String] = [:]) -> String {
        var script = headers.map { "wrk.headers[\"\($0.key)\"] = \"\($0.value)\"" }.sorted().joined(separator: "\n")
        script += """

            local threads = {}
            function setup(thread) table.insert(threads, thread) end
            function init(args) counts = {} end
            function response(status, headers, body)
              if status == 503 and headers["Retry-After"] == nil then status = 5030 end
              counts[status] = (counts[status] or 0) + 1
            end
            function done(summary, latency, requests)
              local total = {}
              for _, thread in ipairs(threads) do
                for status, count in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + count end
              end
              for status, count in pairs(total) do io.write(string.format("status %d %d\\n", status, count)) end
            end
            """
        return script
    }

    /// Responses by status, from a ``classifying(headers:)`` script.
    var statuses: [Int: Int] {
        var counts: [Int: Int] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("status ") {
            let fields = line.split(separator: " ")
            if fields.count == 3, let status = Int(fields[1]), let count = Int(fields[2]) { counts[status] = count }
        }
        return counts
    }

    /// One line for a test's printed figures: requests and rate, answers by status (or the count
    /// outside 2xx/3xx), socket errors, the slowest request.
    var summary: String {
        let rate = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }?.split(separator: " ").last ?? "?"
        let answers = statuses.isEmpty ? "non-2xx/3xx \(non2xx)" : statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        return "\(requests) requests (\(rate)/s), \(answers), socket errors \(socketErrors), max \(maxLatencyMilliseconds.map { String($0) } ?? "?") ms"
    }

    /// The slowest request, in milliseconds (wrk's `Latency avg stdev max` line).
    var maxLatencyMilliseconds: Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Latency ") }) else { return nil }
        let fields = line.split(separator: " ")
        guard fields.count >= 4 else { return nil }
        return Self.milliseconds(fields[3])
    }

    /// "850.00us", "12.5ms", "1.02s", "2.00m" in milliseconds.
    static func milliseconds(_ text: Substring) -> Double? {
        for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * scale }
        }
        return nil
    }
}
