import FireflyHTTPClient
import FireflySystem
import Foundation
import Testing

@Suite("App proxy operations: reload, drain, status and metrics on loopback")
struct ProxyOperationsIntegrationTests {
    /// A document from the proxy's status listener: status code and body.
    static func status(_ port: Int, _ path: String) throws -> (code: Int, body: String) {
        let output = try Shell.succeed(try Shell.which("curl"), ["-s", "--max-time", "5", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"])
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `promtool check metrics` on a document: nil when it passes, else what promtool said.
    static func promtoolProblems(_ document: String, directory: String) throws -> String? {
        let file = directory + "/metrics-\(UUID().uuidString).prom"
        try (document.hasSuffix("\n") ? document : document + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try Shell.run("/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", try Shell.which("promtool"), file])
        return result.status == 0 ? nil : result.output
    }

    @Test("SIGHUP applies a new configuration to new requests while a WebSocket stays open; SIGTERM lets an exchange in flight finish, then closes the rest")
    func reloadAndDrain() throws {
        let statusPort = try LoopbackPort.findFree()
        let settings = ["FIREFLY_PROXY_STATUS_LISTEN": "127.0.0.1:\(statusPort)", "FIREFLY_PROXY_DRAIN_TIMEOUT": "10s"]
        let apps = try AppProxyStack("apops", proxySettings: settings, jupyter: false, echo: true)
        let proxy = try #require(apps.proxy)

        #expect(try Self.status(statusPort, "/healthz") == (200, "ok"))
        let initial = try JSONSerialization.jsonObject(with: Data(try Self.status(statusPort, "/status").body.utf8)) as? [String: Any]
        #expect(initial?["state"] as? String == "running")
        #expect(initial?["configuration_generation"] as? Int == 1)

        let cookie = try apps.open()
        let before = try apps.request("GET", "/_headers", headers: [("Cookie", cookie)])
        #expect(before.status == 200)
        #expect(before.header("content-security-policy")?.contains("https://reloaded.example") == false)

        // A WebSocket that echoes once now, and once more when told (after the reload).
        let socketLog = apps.stack.directory + "/websocket.log", go = apps.stack.directory + "/websocket.go"
        let socket = try ChildProcess(executable: try TestStack.python, arguments: ["-c", """
            import asyncio, os, ssl, sys
            from tornado.httpclient import HTTPRequest
            from tornado.websocket import websocket_connect
            import socket as s
            resolve = s.getaddrinfo
            s.getaddrinfo = lambda host, *a, **k: resolve("127.0.0.1" if str(host).endswith("localhost") else host, *a, **k)
            async def main():
                url, cookie, origin, ca, go = sys.argv[1:6]
                ws = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie, "Origin": origin},
                                                         ssl_options=ssl.create_default_context(cafile=ca)))
                ws.write_message("before")
                print("echo", await ws.read_message(), flush=True)
                while not os.path.exists(go):
                    await asyncio.sleep(0.05)
                ws.write_message("after")
                print("echo", await ws.read_message(), flush=True)
                message = await asyncio.wait_for(ws.read_message(), 30)
                print("closed" if message is None else "message", flush=True)
            asyncio.run(main())
            """, apps.origin().replacingOccurrences(of: "https://", with: "wss://") + "/_echo", cookie, apps.origin(),
            apps.stack.directory + "/nginx/tls/cert.pem", go], environment: TestStack.cleanEnvironment(), outputPath: socketLog)
        defer { if socket.isRunning { socket.send(SIGKILL) } }
        func socketOutput() -> String { (try? String(contentsOfFile: socketLog, encoding: .utf8)) ?? "" }
        #expect(eventually(within: 10) { socketOutput().contains("echo before") }, "\(socketOutput())")

        // Reload: a new frame-ancestors list. New requests see it; the open WebSocket keeps working.
        try apps.rewriteProxyConfiguration(settings.merging(["FIREFLY_PROXY_FRAME_ANCESTORS": "https://localhost:\(apps.stack.httpsPort),https://reloaded.example"]) { $1 })
        proxy.send(SIGHUP)
        #expect(eventually(within: 10) {
            ((try? JSONSerialization.jsonObject(with: Data(Self.status(statusPort, "/status").body.utf8))) as? [String: Any])?["configuration_generation"] as? Int == 2
        })
        let after = try apps.request("GET", "/_headers", headers: [("Cookie", cookie)])
        #expect(after.status == 200)
        #expect(after.header("content-security-policy")?.contains("https://reloaded.example") == true, "\(after.headers)")
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        #expect(eventually(within: 10) { socketOutput().contains("echo after") }, "the WebSocket did not survive the reload: \(socketOutput())")

        // A bad file on reload keeps the running configuration.
        try "FIREFLY_PROXY_NO_SUCH_KEY=1\n".write(toFile: apps.stack.directory + "/proxy.conf", atomically: true, encoding: .utf8)
        proxy.send(SIGHUP)
        #expect(eventually(within: 10) { apps.proxyLog.contains("reload failed") })
        #expect(try apps.request("GET", "/_headers", headers: [("Cookie", cookie)]).status == 200)

        // Metrics: exchanges, the open WebSocket, both reloads; promtool accepts the document.
        var metrics = ""
        #expect(eventually(within: 5) {
            metrics = (try? Self.status(statusPort, "/metrics").body) ?? ""
            return metrics.contains(#"firefly_proxy_reloads_total{outcome="failed"} 1"#)
        }, "\(metrics)")
        #expect(metrics.contains("# TYPE firefly_proxy_exchanges_total counter"))
        #expect(metrics.contains(#"firefly_proxy_reloads_total{outcome="ok"} 1"#))
        #expect(metrics.contains(#"firefly_proxy_open_websockets 1"#))
        #expect(metrics.contains(#"firefly_proxy_exchanges_total{outcome="websocket"} 1"#))
        let problems = try Self.promtoolProblems(metrics, directory: apps.stack.directory)
        #expect(problems == nil, "\(problems ?? "")\n\(metrics)")

        // Drain: an exchange in flight (its response has begun) finishes after SIGTERM; the status
        // listener says so meanwhile; the WebSocket is closed once the HTTP exchanges are done.
        let slowHeaders = apps.stack.directory + "/slow.headers", slowBody = apps.stack.directory + "/slow.body"
        let slow = try ChildProcess(executable: try Shell.which("curl"), arguments: [
            "-s", "-N", "--http1.1", "--cacert", apps.stack.directory + "/nginx/tls/cert.pem",
            "--resolve", "\(apps.host()):\(apps.stack.httpsPort):127.0.0.1", "-H", "Cookie: \(cookie)", "-D", slowHeaders, "-o", slowBody,
            "-w", "%{http_code}", apps.origin() + "/_echo/slow?ms=2500",
        ], environment: TestStack.cleanEnvironment(), outputPath: apps.stack.directory + "/slow.out")
        defer { if slow.isRunning { slow.send(SIGKILL) } }
        #expect(eventually(within: 10) { ((try? String(contentsOfFile: slowBody, encoding: .utf8)) ?? "").contains("start") })
        proxy.send(SIGTERM)
        var draining: (code: Int, body: String)?
        #expect(eventually(within: 5) {
            draining = try? Self.status(statusPort, "/healthz")
            return draining?.code == 503
        }, "\(String(describing: draining))\n\(apps.proxyLog)")
        #expect(slow.waitForExit() == .exited(0))
        #expect((try? String(contentsOfFile: slowBody, encoding: .utf8)) == "start\ndone\n")
        #expect((try? String(contentsOfFile: apps.stack.directory + "/slow.out", encoding: .utf8)) == "200")
        #expect(eventually(within: 10) { socketOutput().contains("closed") }, "\(socketOutput())")
        #expect(eventually(within: 10) { !proxy.isRunning })
        #expect(apps.proxyLog.contains("msg=drained"))
    }

    @Test("under load: proxy and nginx reloads, four exchanges stalled on a slow app — every request answered 200, none slower than a second, the stalled ones complete")
    func reloadsUnderLoad() throws {
        let statusPort = try LoopbackPort.findFree()
        let settings = ["FIREFLY_PROXY_STATUS_LISTEN": "127.0.0.1:\(statusPort)"]
        let apps = try AppProxyStack("apload", proxySettings: settings, jupyter: false, echo: true)
        let proxy = try #require(apps.proxy)
        let cookie = try apps.open()
        func generation() -> Int? {
            ((try? JSONSerialization.jsonObject(with: Data(Self.status(statusPort, "/status").body.utf8))) as? [String: Any])?["configuration_generation"] as? Int
        }
        // Another user's exchanges stall on the app for 12 s each.
        let stalled = try (0..<4).map { index in
            try ChildProcess(executable: try Shell.which("curl"), arguments: [
                "-s", "-N", "--http1.1", "--cacert", apps.stack.directory + "/nginx/tls/cert.pem", "--resolve", "\(apps.host()):\(apps.stack.httpsPort):127.0.0.1",
                "-H", "Cookie: \(cookie)", "-o", apps.stack.directory + "/stalled-\(index).body", "-w", "%{http_code}", apps.origin() + "/_echo/slow?ms=12000",
            ], environment: TestStack.cleanEnvironment(), outputPath: apps.stack.directory + "/stalled-\(index).out")
        }
        defer { for process in stalled where process.isRunning { process.send(SIGKILL) } }

        let stack = apps.stack
        let load = Background {
            try stack.load(path: "/_headers", connections: 8, seconds: 10, script: LoadReport.classifying(headers: ["Cookie": cookie, "Host": apps.host()]),
                           latency: true, url: "https://127.0.0.1:\(stack.httpsPort)/_headers")
        }
        _ = eventually(within: 5) { apps.nginxAccessLog.split(separator: "\n").count > 500 }
        for round in 0..<3 {
            proxy.send(SIGHUP)
            #expect(eventually(within: 5) { generation() == round + 2 }, "reload \(round + 1) did not complete")
            try stack.reloadNginx()
            let lines = apps.nginxAccessLog.split(separator: "\n").count
            _ = eventually(within: 3) { apps.nginxAccessLog.split(separator: "\n").count > lines + 300 }
        }
        let report = try load.value()
        #expect(report.statuses == [200: report.requests], "\(report.output)")
        #expect(report.socketErrors == 0, "\(report.output)")
        #expect((report.maxLatencyMilliseconds ?? .infinity) < 1_000, "\(report.output)")
        #expect(report.requests > 2_000, "\(report.output)")
        for (index, process) in stalled.enumerated() {
            #expect(process.waitForExit() == .exited(0))
            #expect((try? String(contentsOfFile: apps.stack.directory + "/stalled-\(index).out", encoding: .utf8)) == "200")
            #expect((try? String(contentsOfFile: apps.stack.directory + "/stalled-\(index).body", encoding: .utf8)) == "start\ndone\n")
        }
        print("reloadsUnderLoad:", report.requests, "requests,", report.statuses, "max", report.maxLatencyMilliseconds ?? -1, "ms")
    }
}
