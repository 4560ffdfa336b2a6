import FireflyCrypto
import FireflyHTTPClient
import FireflyPostgres
import FireflySystem
import Foundation
import ProxyCore
import Testing

@Suite("App proxy: browser → nginx → firefly-proxy → TLS app (jupyter-server behind a bearer-checking nginx)")
struct AppProxyIntegrationTests {
    @Test("jupyter through the proxy: the token moves to a cookie, REST API, upload and download, kernel WebSocket 1+1 = 2")
    func jupyter() throws {
        let apps = try AppProxyStack("apjupyter")
        let token = try apps.mint()

        // First use: the token goes into an HttpOnly, host-only cookie of this app's own origin and leaves the URL.
        let first = try apps.request("GET", "/app-proxy/\(token)/aws/databricksapps/jupyter/api/status?probe=1")
        #expect(first.status == 302)
        #expect(first.header("location") == "/api/status?probe=1")
        let setCookie = try #require(first.header("set-cookie"))
        for attribute in ["__Host-firefly_app_token=\(token)~aws~databricksapps;", "Path=/;", "HttpOnly", "Secure"] {
            #expect(setCookie.contains(attribute), "\(setCookie)")
        }
        #expect(!setCookie.lowercased().contains("domain="))
        let maxAge = try #require(Int(setCookie.components(separatedBy: "Max-Age=").last?.prefix { $0.isNumber } ?? ""))
        #expect((3500...3600).contains(maxAge))
        let cookie = String(setCookie.prefix { $0 != ";" })

        #expect(try apps.request("GET", "/api/status").status == 401)
        let status = try apps.request("GET", "/api/status", headers: [("Cookie", cookie)])
        #expect(status.status == 200, "\(status.text)")
        #expect(status.text.contains("\"kernels\""))

        // Upload a binary file through the contents API, download it raw.
        let data = (0..<(2 << 20)).map { _ in UInt8.random(in: 0...255) }
        let model = try JSONSerialization.data(withJSONObject: ["type": "file", "format": "base64", "content": Data(data).base64EncodedString()])
        let put = try apps.request("PUT", "/api/contents/data.bin",
                                   headers: [("Cookie", cookie), ("Content-Type", "application/json")], body: Array(model))
        #expect(put.status == 201 || put.status == 200, "\(put.text)")
        let download = try apps.request("GET", "/files/data.bin", headers: [("Cookie", cookie)])
        #expect(download.status == 200)
        #expect(download.body.count == data.count && SHA256.hash(download.body) == SHA256.hash(data))

        // A kernel over the WebSocket, as the page in the iframe would run it.
        let output = try Shell.succeed(try TestStack.python, [
            TestStack.repository + "/Tests/Conformance/jupyter_kernel.py", apps.origin(),
            cookie, apps.origin(), apps.stack.directory + "/nginx/tls/cert.pem",
        ])
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("2"), "\(output)")

        // The token never reaches a log line: not nginx's, not the proxy's, however the path is written.
        let oddToken = try apps.mint()
        for odd in ["//app-proxy/\(oddToken)/aws/databricksapps/jupyter/", "/APP-PROXY/\(oddToken)/x", "/app-proxy//\(oddToken)", "/app-proxy/\(oddToken)"] {
            _ = try apps.curl(["--path-as-is", apps.origin() + odd])
        }
        #expect(!apps.nginxAccessLog.contains(oddToken))
        #expect(!apps.nginxAccessLog.contains(token))
        #expect(!apps.proxyLog.contains(token))
        #expect(apps.proxyLog.contains("outcome=websocket"))
        #expect(!apps.proxyLog.contains(apps.bearerToken))
    }

    @Test("a token works for its own app only (403, no connection made); expired URL or token → 401 page; the cookie outlives the URL")
    func tokens() throws {
        let apps = try AppProxyStack("aptokens", jupyter: false)
        let token = try apps.mint()
        let before = apps.upstreamAccessLog.split(separator: "\n").count
        for path in ["/aws/databricksapps/other/", "/gcp/databricksapps/jupyter/", "/azure/databricksapps/jupyter/_headers"] {
            for host in [apps.host("jupyter"), apps.host("other")] {
                #expect(try apps.request("GET", "/app-proxy/\(token)\(path)", host: host).status == 403, "\(path) on \(host)")
            }
        }
        // The cookie names the rest of the route: one the token is not bound to does not open it.
        for route in ["gcp~databricksapps", "azure~databricksapps"] {
            for host in [apps.host("jupyter"), apps.host("other")] {
                #expect(try apps.request("GET", "/_headers", headers: [("Cookie", "__Host-firefly_app_token=\(token)~\(route)")], host: host).status == 403,
                        "\(route) on \(host)")
            }
        }
        // One origin per app: this app's token on another app's origin, or another organization's.
        for host in [apps.host("other"), apps.host("jupyter", organization: "globex")] {
            #expect(try apps.request("GET", "/_headers", headers: [("Cookie", "__Host-firefly_app_token=\(token)~aws~databricksapps")],
                                     host: host).status == 403, "\(host)")
        }
        #expect(try apps.request("GET", "/app-proxy/\(try apps.mint(organization: "globex"))/aws/databricksapps/jupyter/").status == 403)
        #expect(try apps.request("GET", "/app-proxy/\(token)/aws/databricksapps/jupyter/", host: "apps.localhost").status == 404)
        #expect(apps.upstreamAccessLog.split(separator: "\n").count == before, "the proxy connected to an app for a foreign token")

        let stale = try apps.mint(urlUsableFor: -1)
        let page = try apps.request("GET", "/app-proxy/\(stale)/aws/databricksapps/jupyter/", headers: [("Accept", "text/html")])
        #expect(page.status == 401)
        #expect(page.header("content-type")?.hasPrefix("text/html") == true)
        #expect(page.text.contains("Open the app again from FireFly"))
        // The page tells the FireFly page around the frame, with a script of the app origin's own.
        #expect(page.text.contains(#"<script src="/app-proxy/expired.js"></script>"#))
        #expect(page.header("content-security-policy")?.contains("script-src 'self'") == true)
        let script = try apps.request("GET", "/app-proxy/expired.js")
        #expect(script.status == 200)
        #expect(script.header("content-type")?.hasPrefix("text/javascript") == true)
        #expect(script.text.contains(#"postMessage({ type: "firefly-app-expired" }"#))
        // The same token in its cookie form is still good: it lives as long as the SPN token.
        let headers = try apps.request("GET", "/_headers", headers: [("Cookie", "__Host-firefly_app_token=\(stale)~aws~databricksapps")])
        #expect(headers.status == 200, "\(headers.text)")
        let expired = try apps.mint(expiresIn: -1, urlUsableFor: -1)
        #expect(try apps.request("GET", "/_headers", headers: [("Cookie", "__Host-firefly_app_token=\(expired)~aws~databricksapps")]).status == 401)
        var tampered = Array(token.utf8)
        tampered[30] = tampered[30] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(try apps.request("GET", "/app-proxy/\(String(decoding: tampered, as: UTF8.self))/aws/databricksapps/jupyter/").status == 401)
        #expect(try apps.request("GET", "/app-proxy/\(String(token.prefix(40)))/aws/databricksapps/jupyter/").status == 401)
        // An app that answers 401 itself (wrong bearer token inside a valid envelope) passes through.
        let wrongBearer = try apps.mint(bearer: "dapi-wrong")
        #expect(try apps.request("GET", "/_headers", headers: [("Cookie", "__Host-firefly_app_token=\(wrongBearer)~aws~databricksapps")]).status == 401)
    }

    @Test("an embed URL works once; signing out of FireFly ends the app cookie within the check interval")
    func singleUseAndSessionBound() throws {
        let apps = try AppProxyStack("apsession", proxySettings: ["FIREFLY_PROXY_SESSION_CHECK_INTERVAL": "1s"], jupyter: false, echo: true)
        let token = try apps.mint()
        let first = try apps.request("GET", "/app-proxy/\(token)/aws/databricksapps/jupyter/_headers")
        #expect(first.status == 302)
        let cookie = String(try #require(first.header("set-cookie")).prefix { $0 != ";" })
        // The link is no bearer link: a second use, by anybody, is refused.
        let replay = try apps.request("GET", "/app-proxy/\(token)/aws/databricksapps/jupyter/_headers", headers: [("Accept", "text/html")])
        #expect(replay.status == 401)
        #expect(replay.text.contains("already used"))
        #expect(try apps.sql("SELECT count(*) FROM app_embed_redemptions").scalar == "1")
        #expect(try apps.request("GET", "/_headers", headers: [("Cookie", cookie)]).status == 200)

        // A WebSocket open at logout time is closed too (it outlives the request that opened it).
        let socketLog = apps.stack.directory + "/websocket.log"
        let socket = try ChildProcess(executable: try TestStack.python, arguments: ["-c", """
            import asyncio, ssl, sys
            from tornado.httpclient import HTTPRequest
            from tornado.websocket import websocket_connect
            import socket as s
            resolve = s.getaddrinfo
            s.getaddrinfo = lambda host, *a, **k: resolve("127.0.0.1" if str(host).endswith("localhost") else host, *a, **k)
            async def main():
                url, cookie, origin, ca = sys.argv[1:5]
                ws = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie, "Origin": origin},
                                                         ssl_options=ssl.create_default_context(cafile=ca)))
                ws.write_message("ping")
                print("open", await ws.read_message(), flush=True)
                message = await asyncio.wait_for(ws.read_message(), 20)
                print("closed" if message is None else "message", flush=True)
            asyncio.run(main())
            """, apps.origin().replacingOccurrences(of: "https://", with: "wss://") + "/_echo", cookie, apps.origin(),
            apps.stack.directory + "/nginx/tls/cert.pem"], environment: TestStack.cleanEnvironment(), outputPath: socketLog)
        defer { if socket.isRunning { socket.send(SIGKILL) } }
        func socketOutput() -> String { (try? String(contentsOfFile: socketLog, encoding: .utf8)) ?? "" }
        #expect(eventually(within: 10) { socketOutput().contains("open ping") }, "\(socketOutput())")

        // Logout (the session row goes): the cookie stops working within the interval.
        try apps.endSession()
        let ended = eventually(within: 5) {
            (try? apps.request("GET", "/_headers", headers: [("Cookie", cookie)]).status) == 401
        }
        #expect(ended, "the app cookie outlived the FireFly session")
        #expect(eventually(within: 10) { socketOutput().contains("closed") }, "the WebSocket outlived the session: \(socketOutput())")
        // And a fresh link minted in the ended session never becomes a cookie.
        #expect(try apps.request("GET", "/app-proxy/\(try apps.mint())/aws/databricksapps/jupyter/").status == 401)
    }

    @Test("refused upgrades close their connection: nginx's kept connections never jam for the next user")
    func refusedUpgradesDoNotJam() throws {
        let apps = try AppProxyStack("apupgrade", jupyter: false)
        let cookie = try apps.open()
        let base = ""
        let upgrades: [[(name: String, value: String)]] = [
            [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
             ("Origin", "https://evil.example"), ("Cookie", cookie)],
            [("Connection", "Upgrade, HTTP2-Settings"), ("Upgrade", "h2c"), ("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA")],
            [("Connection", "Upgrade"), ("Upgrade", "foo"), ("Cookie", cookie)],
            // A WebSocket the app answers without 101 (its /_headers page).
            [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
             ("Origin", apps.origin()), ("Cookie", cookie)],
        ]
        for round in 0..<12 {
            for (index, fields) in upgrades.enumerated() {
                let path = index == 3 ? base + "/_headers" : base + "/_echo"
                _ = try? apps.request("GET", path, headers: fields, timeoutMilliseconds: 5_000, http1Only: true)
                _ = round
            }
        }
        // Every later request is answered at once (before the fix, they hung on jammed connections).
        for _ in 0..<40 {
            let response = try apps.request("GET", base + "/_headers", headers: [("Cookie", cookie)], timeoutMilliseconds: 3_000)
            #expect(response.status == 200)
        }
    }

    @Test("headers: identity fields and FireFly's cookies stripped, bearer injected, X-Forwarded-* set; Location, Set-Cookie and framing rewritten")
    func headers() throws {
        let apps = try AppProxyStack("apheaders", jupyter: false)
        let cookie = try apps.open()
        let echoed = try apps.request("GET", "/_headers?q=1", headers: [
            ("Cookie", "\(cookie); __Host-firefly_session=stolen; theme=dark"), ("Authorization", "Bearer attacker"),
            ("X-Forwarded-User", "admin"), ("x-fOrWaRdEd-uSeR", "admin"), ("X-Forwarded-For", "6.6.6.6"),
            ("Referer", "https://apps.localhost/app-proxy/secret"), ("Origin", apps.origin()), ("Proxy", "http://evil.example:3128"),
        ])
        #expect(echoed.status == 200, "\(echoed.text)")
        let fields = Dictionary(echoed.text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").map {
            (String($0.prefix { $0 != "=" }), String($0.drop { $0 != "=" }.dropFirst()))
        }) { first, _ in first }
        #expect(fields["host"] == "jupyter.aws.databricksapps.test")
        #expect(fields["auth"] == "Bearer \(apps.bearerToken)")
        #expect(fields["cookie"] == "theme=dark")
        #expect(fields["xfu"] == "")
        #expect(fields["referer"] == "")
        #expect(fields["xff"] == "127.0.0.1")
        #expect(fields["xfp"] == "https")
        #expect(fields["origin"] == "https://jupyter.aws.databricksapps.test")
        #expect(fields["uri"] == "/_headers?q=1")
        #expect(fields["proxy"] == "")

        let redirect = try apps.request("GET", "/_redirect", headers: [("Cookie", cookie)])
        #expect(redirect.status == 302)
        #expect(redirect.header("location") == "/api/status")
        #expect(redirect.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
            == ["appcookie=1; Path=/api; HttpOnly; Secure; SameSite=None; Partitioned"])  // the test stack's app hosts are another site than FireFly's
        #expect(redirect.header("x-frame-options") == nil)
        #expect(redirect.header("clear-site-data") == nil)
        #expect(redirect.header("refresh") == nil)
        let policies = redirect.headers.filter { $0.name.lowercased() == "content-security-policy" }.map(\.value)
        #expect(policies.contains("frame-ancestors \(apps.fireflyOrigin)"))
        #expect(!policies.joined().contains("'none'"))
        #expect(redirect.header("referrer-policy") == "no-referrer")
        #expect(redirect.header("access-control-allow-origin") == nil)
    }

    @Test("hostile input: encoded slashes, dot segments, absolute-form targets, huge headers, h2c, foreign WebSocket origins, slow clients")
    func hostileInput() throws {
        let apps = try AppProxyStack("aphostile", proxySettings: ["FIREFLY_PROXY_IDLE_TIMEOUT": "2s"], jupyter: false)
        let cookie = try apps.open()
        let base = apps.origin()
        let before = apps.upstreamAccessLog.split(separator: "\n").count
        #expect(try apps.curl(["-H", "Cookie: \(cookie)", base + "/a%2F..%2F_headers"]) == 400)
        #expect(try apps.curl(["-H", "Cookie: \(cookie)", base + "/%2e%2e/_headers"]) == 400)
        #expect(try apps.curl(["--path-as-is", "-H", "Cookie: \(cookie)", base + "/x/../../../other/_headers"]) == 400)
        #expect(try apps.curl(["-H", "Cookie: \(cookie)", apps.origin() + "/app-proxy/_/aws/databricksapps/jupyter.evil.example/_headers"]) == 400)
        #expect(try apps.curl(["-H", "Cookie: \(cookie)", apps.origin() + "/app-proxy/_/aws/evil%2ecom/jupyter/_headers"]) == 403)
        let absolute = try apps.curl(["-H", "Cookie: \(cookie)", "--request-target",
                                      "https://evil.example/app-proxy/_/aws/databricksapps/jupyter/_headers", base + "/"])
        #expect((400...404).contains(absolute), "absolute-form target answered \(absolute)")
        #expect(apps.upstreamAccessLog.split(separator: "\n").count == before, "a hostile path reached the app")
        let huge = String(repeating: "x", count: 40_000)
        let hugeStatus = try apps.curl(["-H", "Cookie: \(cookie)", "-H", "X-Huge: \(huge)", base + "/_headers"])
        #expect((400...431).contains(hugeStatus), "huge header answered \(hugeStatus)")
        #expect(try apps.curl(["-H", "Cookie: \(cookie)", "-H", "Connection: Upgrade, HTTP2-Settings", "-H", "Upgrade: h2c",
                               "-H", "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA", base + "/_headers"]) == 400)
        let webSocket = ["-H", "Cookie: \(cookie)", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                         "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
        #expect(try apps.curl(webSocket + ["-H", "Origin: https://evil.example", base + "/_echo"]) == 403)
        #expect(try apps.curl(webSocket + [base + "/_echo"]) == 403)
        // Another app's origin may not open this app's WebSocket, nor may the bare parent host.
        #expect(try apps.curl(webSocket + ["-H", "Origin: \(apps.origin("other"))", base + "/_echo"]) == 403)
        #expect(try apps.curl(webSocket + ["-H", "Origin: \(apps.appOrigin)", base + "/_echo"]) == 403)

        // A client that never finishes its request head is cut off after the idle timeout.
        let slow = try Shell.succeed(try TestStack.python, ["-c", """
            import socket, sys, time
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
            s.sendall(b"GET /app-proxy/_/aws/databricksapps/jupyter/ HTTP/1.1\\r\\nHost: jupyter--acme.apps.localhost\\r\\n")
            start = time.time(); data = s.recv(100)
            print("closed" if data == b"" else "open", round(time.time() - start))
            """, apps.stack.directory + "/proxy.sock"])
        #expect(slow.hasPrefix("closed"), "\(slow)")
        // Still serving.
        #expect(try apps.request("GET", "/_headers", headers: [("Cookie", cookie)]).status == 200)
    }

    @Test("the app host serves apps only, FireFly's origin never routes /app-proxy/, and FireFly's API gives the app origin nothing")
    func separateOrigins() throws {
        let apps = try AppProxyStack("aporigin", jupyter: false, startPool: true)
        let token = try apps.mint()
        // The app host hands everything to the proxy, which serves apps only, to holders of their cookie.
        #expect(try apps.request("GET", "/api/healthz").status == 401)
        #expect(try apps.request("GET", "/healthz").status == 401)
        let onFireFly = try apps.stack.request("GET", "/app-proxy/\(token)/aws/databricksapps/jupyter/_headers")
        #expect(onFireFly.status == 404)
        // A page on the app host calling FireFly: no CORS grant, so the browser lets it read nothing.
        for path in ["/healthz", "/api/catalogs"] {
            let read = try apps.stack.request("GET", path, headers: [("Origin", apps.origin()), ("Cookie", "__Host-firefly_session=x")])
            #expect(read.header("access-control-allow-origin") == nil, "\(path)")
            #expect(read.header("access-control-allow-credentials") == nil, "\(path)")
        }
        // And the proxy never hands FireFly's session cookie to an app, should a browser send one.
        let cookie = try apps.open()
        let echoed = try apps.request("GET", "/_headers", headers: [("Cookie", "\(cookie); __Host-firefly_session=s3cr3t")])
        #expect(echoed.status == 200)
        #expect(!echoed.text.contains("s3cr3t"))
    }
}
