import FireflyCore
import FireflyHTTPClient
import FireflySettings
import FireflySystem
import FireflyMetrics
import Foundation
import Testing

/// The pool behind the shipped nginx configuration, with real PostgreSQL. Serialized: each test
/// runs a whole stack and some measure timing, and the machine has two cores.
@Suite("Pool through nginx", .serialized, .timeLimit(.minutes(3)))
struct PoolIntegrationTests {
    private func errorBody(_ response: HTTPResponse) throws -> [String: String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: [String: String]]
        return try #require(object?["error"], "not an error envelope (\(response.status)): \(response.text.prefix(300))")
    }

    @Test("health, readiness, routing errors and limits, as a browser sees them")
    func requestsAndErrors() throws {
        let stack = try TestStack("basic", settings: ["FIREFLY_REQUEST_MAX_BODY_BYTES": "1k", "FIREFLY_REQUEST_MAX_HEADER_BYTES": "4k"])

        let health = try stack.request("GET", "/healthz")
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"ok"}"#)
        #expect(health.header("Strict-Transport-Security")?.contains("max-age=") == true)
        #expect(try stack.request("HEAD", "/healthz").status == 200)

        let ready = try stack.request("GET", "/readyz")
        #expect(ready.status == 200)
        #expect(ready.text.contains("\"schema_version\":\(Migrations.latestVersion)"))

        let missing = try stack.request("GET", "/api/nothing-here")
        #expect(missing.status == 404)
        let missingError = try errorBody(missing)
        #expect(missingError["code"] == "not_found")
        #expect(missingError["request_id"]?.count == 32)  // nginx's $request_id

        let wrongMethod = try stack.request("DELETE", "/healthz")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD")
        #expect(try errorBody(wrongMethod)["code"] == "method_not_allowed")
        // nginx's own 404 and 405 (static files) answer in the same envelope, never an HTML page.
        let staticMissing = try stack.request("GET", "/assets/nothing-here.js")
        #expect(staticMissing.status == 404)
        #expect(staticMissing.header("Content-Type") == "application/json")
        #expect(try errorBody(staticMissing)["code"] == "not_found")
        let postPage = try stack.request("POST", "/", body: [])
        #expect(postPage.status == 405)
        #expect(try errorBody(postPage)["code"] == "method_not_allowed")

        // Invalid UTF-8 after decoding reaches the pool; a NUL byte or a broken escape is refused
        // by nginx's URI parser already. Both answer 400 in the envelope.
        for path in ["/api/bad%ff", "/api/caf%C3"] {
            let response = try stack.request("GET", path)
            #expect(response.status == 400, "\(path) answered \(response.status)")
            #expect(try errorBody(response)["code"] == "invalid_path")
        }
        for path in ["/api/nul%00byte", "/api/bad%zzescape"] {
            let response = try stack.request("GET", path)
            #expect(response.status == 400, "\(path) answered \(response.status)")
            #expect(try errorBody(response)["code"] == "bad_request")
        }

        // Body limits: the pool's own (1k here) and nginx's client_max_body_size, both as envelopes.
        let small = try stack.request("POST", "/api/_test/echo", body: Array(repeating: 65, count: 512))
        #expect(small.status == 200)
        #expect(small.text == #"{"bytes":512}"#)
        let overPool = try stack.request("POST", "/api/_test/echo", body: Array(repeating: 65, count: 2048))
        #expect(overPool.status == 413)
        #expect(try errorBody(overPool)["code"] == "payload_too_large")
        let overNginx = try stack.request("POST", "/api/_test/echo", body: Array(repeating: 65, count: 11 << 20))
        #expect(overNginx.status == 413)
        #expect(try errorBody(overNginx)["code"] == "payload_too_large")

        // Header limits: the pool's (4k here) and nginx's buffers (answered 431, not nginx's 400 page).
        let bigHeader = try stack.request("GET", "/healthz", headers: [("X-Padding", String(repeating: "p", count: 6000))])
        #expect(bigHeader.status == 431)
        #expect(try errorBody(bigHeader)["code"] == "request_header_fields_too_large")
        // Past nginx's own buffers: over HTTP/1.1 a 431 envelope; over HTTP/2 nginx ends the
        // connection (GOAWAY), which is the protocol's answer, and nothing reaches the pool.
        let hugeHeader = try stack.request("GET", "/healthz", headers: [("X-Padding", String(repeating: "p", count: 40000))], http1Only: true)
        #expect(hugeHeader.status == 431)
        #expect(try errorBody(hugeHeader)["code"] == "request_header_fields_too_large")
        #expect(throws: HTTPClientError.self) {
            try stack.request("GET", "/healthz", headers: [("X-Padding", String(repeating: "p", count: 40000))])
        }

        // FireFly's own origin never routes the app proxy.
        #expect(try stack.request("GET", "/app-proxy/token/aws/databricksapps/app/").status == 404)

        let status = try stack.poolStatus()
        #expect(status.workers_running == 2)
        #expect(status.threads_per_worker == 8)
        #expect(status.idle_threads + status.busy_threads == 16)

        // Workers survived all of it.
        #expect(try stack.request("GET", "/healthz").status == 200)
        #expect(try stack.poolStatus().crash_respawns == 0)
        #expect(stack.poolLog.contains("route=/healthz"))
    }

    @Test("a killed worker is replaced within a second and requests keep succeeding")
    func workerKilled() throws {
        let stack = try TestStack("kill")
        let before = try stack.poolStatus().workers.map(\.pid)
        let victim = try #require(before.first)
        kill(victim, SIGKILL)
        let started = Date()
        var failures = 0
        let replaced = try eventually(within: 3, every: 0.02) {
            if try stack.request("GET", "/healthz").status != 200 { failures += 1 }
            let now = try stack.poolStatus().workers.map(\.pid)
            return !now.contains(victim) && now.count == 2
        }
        #expect(replaced)
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(failures == 0)
        #expect(try stack.poolStatus().crash_respawns == 1)
        #expect(stack.poolLog.contains("worker exited unexpectedly"))
    }

    @Test("workers SIGKILLed again and again under load: only requests in flight on a killed worker fail")
    func killsUnderLoad() throws {
        let threads = 8
        let stack = try TestStack("killload", settings: ["FIREFLY_POOL_THREADS": "\(threads)"])
        let master = try stack.poolStatus().pid
        let load = Background { try stack.load(path: "/api/_test/sleep?ms=5", connections: 8, seconds: 8, latency: true) }
        _ = eventually(within: 5) { ((try? stack.poolStatus().accepted_requests) ?? 0) > 200 }
        var kills = 0
        for _ in 0..<5 {
            guard let victim = try stack.poolStatus().workers.first(where: { $0.state == "ready" })?.pid else { continue }
            kill(victim, SIGKILL)
            kills += 1
            // Replaced: two ready workers again, the victim gone.
            #expect(eventually(within: 5) {
                (try? stack.poolStatus()).map { status in
                    !status.workers.contains { $0.pid == victim } && status.workers.filter { $0.state == "ready" }.count == 2
                } == true
            })
        }
        let report = try load.value()
        print("killsUnderLoad:", report.summary)
        let status = try stack.poolStatus()
        #expect(kills == 5)
        #expect(report.requests > 500, "\(report.output)")
        // A killed worker can take down at most the requests its threads were serving.
        #expect(report.non2xx + report.socketErrors <= kills * threads, "\(report.output)")
        #expect(status.pid == master)
        #expect(status.crash_respawns == kills)
    }

    @Test("/metrics adds up every worker's figures, keeps a killed worker's totals, and passes promtool")
    func metrics() throws {
        let stack = try TestStack("metrics")
        for _ in 0..<20 { #expect(try stack.request("GET", "/healthz").status == 200) }
        let unrouted = try stack.request("GET", "/api/no-such-route").status
        let healthz = #"firefly_http_requests_total{route="/healthz",method="GET",status="200"}"#
        func exposition() -> MetricsExposition? {
            guard let response = try? stack.request("GET", "/metrics"), response.status == 200 else { return nil }
            return MetricsExposition(parsing: response.text)
        }
        var counted = 0.0
        #expect(eventually(within: 10) {
            counted = exposition()?.value(of: healthz) ?? 0
            return counted >= 20
        }, "the workers' requests never added up to 20: \(counted)")
        let document = try #require(try? stack.request("GET", "/metrics"))
        #expect(document.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(document.text.contains(#"firefly_http_requests_total{route="-",method="GET",status="\#(unrouted)"} 1"#), "\(document.text)")
        #expect(document.text.contains(#"firefly_pool_workers{state="ready"} 2"#))
        #expect(document.text.contains("# TYPE firefly_http_request_duration_seconds histogram"))
        #expect(try ProxyOperationsIntegrationTests.promtoolProblems(document.text, directory: stack.directory) == nil)

        // A worker killed outright: its replacement starts from zero, the pool's totals do not.
        let victim = try #require(try stack.poolStatus().workers.first?.pid)
        kill(victim, SIGKILL)
        #expect(eventually(within: 10) { exposition()?.value(of: #"firefly_pool_worker_restarts_total{reason="crash"}"#) == 1 })
        #expect((exposition()?.value(of: healthz) ?? 0) >= counted)
    }

    @Test("workers never serve on, orphaned, after their master died; the status shows no negative counts")
    func masterDies() throws {
        let stack = try TestStack("orphan")
        let status = try stack.poolStatus()
        #expect(status.workers.allSatisfy { $0.idle_threads >= 0 && $0.busy_threads >= 0 })
        let workers = status.workers.map(\.pid)
        #expect(workers.count == 2)
        stack.signalMaster(SIGKILL)
        // The kernel tells each worker (parent-death signal): they drain and exit.
        #expect(eventually(within: 10) { workers.allSatisfy { kill($0, 0) != 0 } }, "orphaned workers still run: \(workers)")
    }

    @Test("SIGHUP reloads while a load generator runs: zero failed requests")
    func reloadUnderLoad() throws {
        let stack = try TestStack("reload", settings: ["FIREFLY_POOL_THREADS": "24"])
        let firstGeneration = try stack.poolStatus().generation
        let load = Background { try stack.load(path: "/healthz", connections: 16, seconds: 7, latency: true) }
        // Under way first, then each reload once the previous one completed (a SIGHUP during a
        // reload is ignored).
        _ = eventually(within: 5) { ((try? stack.poolStatus().accepted_requests) ?? 0) > 500 }
        for done in 0..<3 {
            stack.signalMaster(SIGHUP)
            _ = eventually(within: 5) { (try? stack.poolStatus()).map { $0.reloads > done && $0.state == "running" } == true }
        }
        let report = try load.value()
        print("reloadUnderLoad:", report.summary)
        #expect(report.requests > 1000, "\(report.output)")
        #expect(report.non2xx == 0, "\(report.output)")
        #expect(!report.hasSocketErrors, "\(report.output)")
        // No request waits on a reload: the slowest stays under a second.
        #expect((report.maxLatencyMilliseconds ?? .infinity) < 1_000, "\(report.output)")
        #expect(try eventually(within: 5) { try stack.poolStatus().generation == firstGeneration + 3 })
        // The old generations leave once nginx has ended their kept connections (keepalive_time).
        #expect(try eventually(within: 15) { try stack.poolStatus().workers_running == 2 })
        let status = try stack.poolStatus()
        #expect(status.reloads == 3)
        #expect(status.crash_respawns == 0)
    }

    @Test("a reload with a bad configuration keeps the running pool and names the key")
    func badReload() throws {
        let stack = try TestStack("badreload")
        let generation = try stack.poolStatus().generation
        try "FIREFLY_DATABASE_URL=\(stack.databaseURL)\nFIREFLY_POOL_WORKERS=lots\n".write(toFile: stack.configPath, atomically: true, encoding: .utf8)
        stack.signalMaster(SIGHUP)
        #expect(eventually(within: 5) { stack.poolLog.contains("reload refused") })
        #expect(stack.poolLog.contains("FIREFLY_POOL_WORKERS"))
        #expect(try stack.request("GET", "/healthz").status == 200)
        #expect(try stack.poolStatus().generation == generation)
    }

    @Test("SIGTERM drains: an in-flight slow request completes, then the master exits 0")
    func drain() throws {
        let stack = try TestStack("drain")
        let slow = Background { try stack.request("GET", "/api/_test/sleep?ms=2000") }
        // The slow request is in flight once a thread shows busy in several status documents in a
        // row (one reading could be a status request's own thread).
        var busyReadings = 0
        #expect(eventually(within: 5, every: 0.1) {
            busyReadings = ((try? stack.poolStatus().busy_threads) ?? 0) >= 1 ? busyReadings + 1 : 0
            return busyReadings >= 3
        })
        stack.signalMaster(SIGTERM)
        let response = try slow.value()
        #expect(response.status == 200)
        #expect(response.text == #"{"slept_ms":2000}"#)
        #expect(stack.waitForMasterExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: stack.socketPath))
        #expect(stack.poolLog.contains("pool stopped"))
    }

    @Test("nginx reloads while kept connections sit idle: the pool keeps answering")
    func nginxReloadWithIdleKeptConnections() throws {
        // Fewer pool threads (2 × 4) than nginx keeps idle connections (16 per nginx worker): without
        // the pool's idle timeout on kept connections this is the measured hang.
        let stack = try TestStack("keepconn", settings: ["FIREFLY_POOL_THREADS": "4", "FIREFLY_POOL_KEEPALIVE_IDLE_TIMEOUT": "1s"])
        for round in 0..<4 {
            let report = try stack.load(path: "/healthz", connections: 24, seconds: 1)
            #expect(report.non2xx == 0, "round \(round): \(report.output)")
            try stack.reloadNginx()
            // HTTP/1.1 from the client: a new HTTP/2 connection that an old nginx worker accepted just
            // as it began to shut down ends in GOAWAY before its first stream (libcurl: "Error in the
            // HTTP2 framing layer"; browsers retry it), a race of nginx's own, not of the pool behind.
            for _ in 0..<10 {
                let response = try stack.request("GET", "/healthz", timeoutMilliseconds: 5_000, http1Only: true)
                #expect(response.status == 200)
            }
        }
    }

    @Test("recycles and reloads under a POST load fail no request: kept connections end only after a response")
    func retiringUnderPostLoad() throws {
        // nginx does not retry a POST on another connection; a retiring worker that closed a kept
        // connection nginx was about to reuse would fail it with a 502.
        let stack = try TestStack("retire", settings: ["FIREFLY_POOL_MAX_REQUESTS": "40"])
        let post = #"wrk.method = "POST"; wrk.body = string.rep("a", 300); wrk.headers["Content-Type"] = "text/plain""#
        // A recycle first, then reload after reload while the load runs, each one waited for to
        // complete. (The order matters: a retiring worker goes on serving the connections nginx keeps
        // until nginx ends them, and does not recycle; on a fast machine the reloads could otherwise
        // all finish before any worker of an active generation reached 40 requests.)
        let reloads = Background {
            _ = eventually(within: 4) { ((try? stack.poolStatus().recycles) ?? 0) >= 1 }
            for done in 0..<4 {
                stack.signalMaster(SIGHUP)
                // Until it completed: a SIGHUP during a reload is ignored.
                _ = eventually(within: 10) { (try? stack.poolStatus()).map { $0.reloads > done && $0.state == "running" } == true }
            }
        }
        let report = try stack.load(path: "/api/_test/echo", connections: 12, seconds: 4, script: post)
        try reloads.value()
        #expect(report.requests > 200, "\(report.output)")
        #expect(report.non2xx == 0, "\(report.output)\n\(stack.nginxErrorLog.suffix(3_000))")
        #expect(!report.hasSocketErrors, "\(report.output)")
        let status = try stack.poolStatus()
        #expect(status.recycles >= 1)
        #expect(status.reloads >= 2)
        #expect(status.crash_respawns == 0)
        // Retired generations leave once nginx has ended their connections (keepalive_time 5 s). (The
        // polling itself is load: with max_requests 40 the active generation keeps recycling, so
        // the count of workers is not the measure; their generation is.)
        #expect(eventually(within: 15) { (try? stack.poolStatus()).map { status in status.workers.allSatisfy { $0.generation == status.generation } } == true },
                "\((try? stack.poolStatus().workers.map { "\($0.pid) g\($0.generation) \($0.state)" }) ?? [])")
    }

    @Test("PostgreSQL stops: /readyz 503; it comes back: 200 again, same pool")
    func databaseRestart() throws {
        let stack = try TestStack("pgrestart")
        let masterPID = try stack.poolStatus().pid
        #expect(try stack.request("GET", "/readyz").status == 200)
        try stack.database("stop")
        let down = try stack.request("GET", "/readyz")
        #expect(down.status == 503)
        #expect(try errorBody(down)["code"] == "not_ready")
        #expect(try stack.request("GET", "/healthz").status == 200)
        try stack.database("start")
        // Every thread's connection died with the server; each must reconnect on its own.
        for _ in 0..<40 {
            #expect(try stack.request("GET", "/readyz").status == 200)
        }
        #expect(try stack.poolStatus().pid == masterPID)
    }

    @Test("readiness reports pending migrations")
    func pendingMigrations() throws {
        let stack = try TestStack("pending", migrate: false)
        let response = try stack.request("GET", "/readyz")
        #expect(response.status == 503)
        #expect(try errorBody(response)["message"]?.contains("firefly-admin migrate") == true)
    }

    @Test("workers are recycled after max_requests without a failed request")
    func recycle() throws {
        let stack = try TestStack("recycle", settings: ["FIREFLY_POOL_MAX_REQUESTS": "25"])
        let first = Set(try stack.poolStatus().workers.map(\.pid))
        // A retiring worker answers on the connections nginx keeps until nginx ends them (up to
        // keepalive_time), so recycles follow requests with that delay: keep asking until two happened.
        var sent = 0
        let recycled = try eventually(within: 20) {
            for _ in 0..<25 {
                let response = try stack.request("GET", "/healthz")
                #expect(response.status == 200, "request \(sent)")
                sent += 1
            }
            return try stack.poolStatus().recycles >= 2
        }
        #expect(recycled, "\(sent) requests")
        let status = try stack.poolStatus()
        #expect(status.crash_respawns == 0)
        #expect(!Set(status.workers.map(\.pid)).isSubset(of: first))
    }

    @Test("slow requests are logged with route and duration; past the hard limit they get 504")
    func deadlines() throws {
        let stack = try TestStack("deadline", settings: ["FIREFLY_REQUEST_TIMEOUT": "1s", "FIREFLY_REQUEST_SLOW_THRESHOLD": "200ms"])
        #expect(try stack.request("GET", "/api/_test/sleep?ms=300").status == 200)
        #expect(eventually(within: 2) { stack.poolLog.contains("msg=\"slow request\"") })
        let line = stack.poolLog.split(separator: "\n").first { $0.contains("slow request") }.map(String.init) ?? ""
        #expect(line.contains("route=/api/_test/sleep"))
        #expect(line.contains("duration_ms="))
        let late = try stack.request("GET", "/api/_test/sleep?ms=5000")
        #expect(late.status == 504)
        #expect(try errorBody(late)["code"] == "gateway_timeout")
    }

    @Test("socket activation and the systemd notify protocol")
    func systemdIntegration() throws {
        let stack = try TestStack("systemd", startPool: false)
        let notify = try UnixDatagramReceiver(path: stack.directory + "/notify.sock")
        let activate = try Shell.which("systemd-socket-activate")
        try stack.startPool(
            executable: activate,
            arguments: ["-l", stack.socketPath, "-E", "NOTIFY_SOCKET=\(notify.path)", TestStack.binDirectory + "/firefly-fcgi", "--config", stack.configPath],
            waitForReady: false)
        // systemd-socket-activate starts the program on the first connection: this request does it.
        #expect(eventually(within: 5) { FileManager.default.fileExists(atPath: stack.socketPath) })
        #expect(try stack.request("GET", "/healthz").status == 200)
        #expect(receive(notify, containing: "READY=1"))
        #expect(stack.poolLog.contains("systemd socket activation"))
        stack.signalMaster(SIGHUP)
        #expect(receive(notify, containing: "RELOADING=1"))
        #expect(receive(notify, containing: "READY=1"))
        #expect(try stack.request("GET", "/healthz").status == 200)
        stack.signalMaster(SIGTERM)
        #expect(receive(notify, containing: "STOPPING=1"))
        #expect(stack.waitForMasterExit() == 0)
    }

    @Test("a bad configuration stops start-up with a message naming the key")
    func configurationErrors() throws {
        let stack = try TestStack("badconf", startPool: false)
        let binary = TestStack.binDirectory + "/firefly-fcgi"
        try "FIREFLY_POOL_WORKERS=2\n".write(toFile: stack.configPath, atomically: true, encoding: .utf8)
        let missing = try Shell.run(binary, ["--config", stack.configPath], environment: TestStack.cleanEnvironment())
        #expect(missing.status == 78)
        #expect(missing.output.contains("FIREFLY_DATABASE_URL: is required"))
        try stack.writeConfiguration([:])
        let bad = try Shell.run(binary, ["--config", stack.configPath], environment: TestStack.cleanEnvironment(["FIREFLY_POOL_THREADS": "zero"]))
        #expect(bad.status == 78)
        #expect(bad.output.contains("FIREFLY_POOL_THREADS"))
        // The configuration test (like php-fpm -t) and the version, without starting anything.
        let checked = try Shell.run(binary, ["--check-config", "--config", stack.configPath], environment: TestStack.cleanEnvironment())
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("is usable"))
        let refused = try Shell.run(binary, ["--check-config", "--config", stack.configPath], environment: TestStack.cleanEnvironment(["FIREFLY_POOL_THREADS": "0"]))
        #expect(refused.status == 78)
        #expect(!FileManager.default.fileExists(atPath: stack.socketPath))
        for tool in ["firefly-fcgi", "firefly-proxy", "firefly-admin"] {
            #expect(try Shell.succeed(TestStack.binDirectory + "/" + tool, ["--version"]).trimmingCharacters(in: .whitespacesAndNewlines) == FireflyVersion.current)
        }
    }

    @Test("two migrations at once are safe and idempotent")
    func concurrentMigrations() throws {
        let stack = try TestStack("migrate", startPool: false, migrate: false)
        let admin = TestStack.binDirectory + "/firefly-admin"
        let runs = (0..<3).map { _ in Background { try Shell.run(admin, ["migrate", "--config", stack.configPath], environment: TestStack.cleanEnvironment()) } }
        for run in runs {
            let result = try run.value()
            #expect(result.status == 0, "\(result.output)")
        }
        let again = try Shell.run(admin, ["migrate", "--config", stack.configPath], environment: TestStack.cleanEnvironment())
        #expect(again.output.contains("schema is current (version \(Migrations.latestVersion))"))
        let psql = try Shell.which("psql")
        let count = try Shell.succeed(psql, ["-h", stack.databaseDirectory, "-U", "firefly", "-d", "firefly", "-tAc", "SELECT count(*) FROM schema_migrations"])
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "\(Migrations.all.count)")
    }

    private func receive(_ socket: UnixDatagramReceiver, containing text: String) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let message = socket.receive(timeoutMilliseconds: 500), message.contains(text) { return true }
        }
        return false
    }
}
