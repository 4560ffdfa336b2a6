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

    @Test("under load: proxy reloads fail nothing; nginx reloads fail nothing FireFly answered; four exchanges stalled on a slow app complete")
    func reloadsUnderLoad() throws {
        let statusPort = try LoopbackPort.findFree()
        let settings = ["FIREFLY_PROXY_STATUS_LISTEN": "127.0.0.1:\(statusPort)"]
        let apps = try AppProxyStack("apload", proxySettings: settings, jupyter: false, echo: true)
        let proxy = try #require(apps.proxy)
        let cookie = try apps.open()
        func generation() -> Int? {
            ((try? JSONSerialization.jsonObject(with: Data(Self.status(statusPort, "/status").body.utf8))) as? [String: Any])?["configuration_generation"] as? Int
        }
        // Another user's exchanges stall on the app across both phases.
        let stalled = try (0..<4).map { index in
            try ChildProcess(executable: try Shell.which("curl"), arguments: [
                "-s", "-N", "--http1.1", "--cacert", apps.stack.directory + "/nginx/tls/cert.pem", "--resolve", "\(apps.host()):\(apps.stack.httpsPort):127.0.0.1",
                "-H", "Cookie: \(cookie)", "-o", apps.stack.directory + "/stalled-\(index).body", "-w", "%{http_code}", apps.origin() + "/_echo/slow?ms=15000",
            ], environment: TestStack.cleanEnvironment(), outputPath: apps.stack.directory + "/stalled-\(index).out")
        }
        defer { for process in stalled where process.isRunning { process.send(SIGKILL) } }

        let stack = apps.stack, connections = 8, reloads = 3
        /// Runs the load while `reload` happens `reloads` times, each once the load has moved on.
        func underLoad(_ reload: (Int) throws -> Void) throws -> LoadReport {
            let load = Background {
                try stack.load(path: "/_headers", connections: connections, seconds: 6, script: LoadReport.classifying(headers: ["Cookie": cookie, "Host": apps.host()]),
                               latency: true, url: "https://127.0.0.1:\(stack.httpsPort)/_headers")
            }
            for round in 0..<reloads {
                let lines = apps.nginxAccessLog.split(separator: "\n").count
                _ = eventually(within: 3) { apps.nginxAccessLog.split(separator: "\n").count > lines + 300 }
                try reload(round)
            }
            return try load.value()
        }

        // The proxy's reloads happen inside FireFly: not one request may fail or be slow.
        let proxyPhase = try underLoad { round in
            proxy.send(SIGHUP)
            #expect(eventually(within: 5) { generation() == round + 2 }, "reload \(round + 1) did not complete")
        }
        #expect(proxyPhase.statuses == [200: proxyPhase.requests], "\(proxyPhase.output)")
        #expect(proxyPhase.socketErrors == 0, "\(proxyPhase.output)")
        #expect((proxyPhase.maxLatencyMilliseconds ?? .infinity) < 1_000, "\(proxyPhase.output)")
        #expect(proxyPhase.requests > 1_500, "\(proxyPhase.output)")

        // nginx's retiring workers close the browsers' kept connections. A request sent on one in
        // the instant it closes gets no answer at all (wrk counts a read error; a browser sends
        // it again, RFC 9112 §9.3.1): at most one per connection per reload. Every answer is a
        // 200 and none is slow.
        let nginxPhase = try underLoad { _ in try stack.reloadNginx() }
        #expect(nginxPhase.statuses == [200: nginxPhase.requests], "\(nginxPhase.output)")
        #expect(nginxPhase.socketErrors == nginxPhase.readErrors, "\(nginxPhase.output)")
        #expect(nginxPhase.readErrors <= connections * reloads, "\(nginxPhase.output)")
        #expect((nginxPhase.maxLatencyMilliseconds ?? .infinity) < 1_000, "\(nginxPhase.output)")
        #expect(nginxPhase.requests > 1_500, "\(nginxPhase.output)")

        for (index, process) in stalled.enumerated() {
            #expect(process.waitForExit() == .exited(0))
            #expect((try? String(contentsOfFile: apps.stack.directory + "/stalled-\(index).out", encoding: .utf8)) == "200")
            #expect((try? String(contentsOfFile: apps.stack.directory + "/stalled-\(index).body", encoding: .utf8)) == "start\ndone\n")
        }
        print("reloadsUnderLoad: proxy reloads:", proxyPhase.summary, "| nginx reloads:", nginxPhase.summary, "(read errors: unanswered on closing connections)")
    }

    @Test("a WebSocket peer that stops reading is held back by backpressure: the proxy's memory stays flat and other users' requests are answered at once")
    func stalledWebSocketPeer() throws {
        let apps = try AppProxyStack("apstall", jupyter: false, echo: true)
        let proxy = try #require(apps.proxy)
        let cookie = try apps.open()
        func proxyRSSKiB() -> Int {
            let status = (try? String(contentsOfFile: "/proc/\(proxy.pid)/status", encoding: .utf8)) ?? ""
            return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        }
        let before = proxyRSSKiB()
        // A raw WebSocket client that sends 64 KiB frames to the echo and never reads a byte back:
        // once every buffer on the way is full, its sends stall.
        let report = apps.stack.directory + "/stalled.report"
        let client = try ChildProcess(executable: try TestStack.python, arguments: ["-c", """
            import base64, os, socket, ssl, struct, sys, time
            host, port, cookie, origin, ca, report = sys.argv[1:7]
            tls = ssl.create_default_context(cafile=ca).wrap_socket(socket.create_connection(("127.0.0.1", int(port))), server_hostname=host)
            key = base64.b64encode(os.urandom(16)).decode()
            tls.sendall(f"GET /_echo HTTP/1.1\\r\\nHost: {host}:{port}\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: {key}\\r\\n"
                        f"Sec-WebSocket-Version: 13\\r\\nCookie: {cookie}\\r\\nOrigin: {origin}\\r\\n\\r\\n".encode())
            head = b""
            while b"\\r\\n\\r\\n" not in head:
                head += tls.recv(1)
            assert head.startswith(b"HTTP/1.1 101"), head
            mask, payload = os.urandom(4), os.urandom(65536)
            frame = bytes([0x82, 0x80 | 127]) + struct.pack(">Q", len(payload)) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            tls.settimeout(2)
            sent, outcome = 0, "flowed"
            try:
                while sent < 1 << 30:
                    tls.sendall(frame)
                    sent += len(payload)
            except socket.timeout:
                outcome = "stalled"
            with open(report, "w") as f:
                f.write(f"{outcome} {sent}\\n")
            time.sleep(600)
            """, apps.host(), "\(apps.stack.httpsPort)", cookie, apps.origin(), apps.stack.directory + "/nginx/tls/cert.pem", report],
            environment: TestStack.cleanEnvironment(), outputPath: apps.stack.directory + "/stalled.log")
        defer { if client.isRunning { client.send(SIGKILL) } }
        func reported() -> String { (try? String(contentsOfFile: report, encoding: .utf8)) ?? "" }
        #expect(eventually(within: 30) { !reported().isEmpty },
                "the client never finished: \((try? String(contentsOfFile: apps.stack.directory + "/stalled.log", encoding: .utf8)) ?? "")")
        // It stalls once the buffers on the way are full (socket buffers, nginx's, the proxy's
        // channels): megabytes, never the gigabyte it would send.
        let sent = Int(reported().split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(reported().hasPrefix("stalled") && sent < 256 << 20, "\(reported())")

        // Meanwhile another user: every request answered, none slower than a second.
        let stack = apps.stack
        let load = try stack.load(path: "/_headers", connections: 8, seconds: 5, script: LoadReport.classifying(headers: ["Cookie": cookie, "Host": apps.host()]),
                                  latency: true, url: "https://127.0.0.1:\(stack.httpsPort)/_headers")
        #expect(load.statuses == [200: load.requests] && load.requests > 1_000, "\(load.output)")
        #expect((load.maxLatencyMilliseconds ?? .infinity) < 1_000, "\(load.output)")
        // What the proxy holds for the stalled pair is bounded (channel buffers, not the megabytes sent).
        let growth = proxyRSSKiB() - before
        #expect(growth < 16 * 1024, "the proxy grew by \(growth) KiB while \(sent) bytes were sent into the stalled WebSocket")
        print("stalledWebSocketPeer: \(sent) bytes sent before the stall; proxy RSS +\(growth) KiB; other user:", load.summary)
    }
}
