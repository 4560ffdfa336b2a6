import FireflyCrypto
import FireflyProxyServer
import FoundationEssentials
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import ProxyCore
import Testing

/// The app proxy's NIO handlers on embedded channels: the browser's connection (nginx's side) with
/// the pipeline the server installs, and app connections with the pipeline the connector installs,
/// minus TLS. Bytes go in and come out as they would on sockets; no network, no PostgreSQL.
@Suite("App proxy handlers on EmbeddedChannel: exchange, reuse, failures, backpressure, WebSocket splice")
struct ProxyHandlerTests {
    @Test("a request is forwarded with the app's credentials, its response relayed, and the app connection kept for the next")
    func forwardAndReuse() throws {
        let proxy = try EmbeddedProxy()
        try proxy.client.writeInbound(proxy.request("/files?x=1"))
        let app = try #require(proxy.apps.opened.first)
        let forwarded = try app.outboundText()
        #expect(forwarded.hasPrefix("GET /files?x=1 HTTP/1.1\r\n"))
        #expect(forwarded.contains("Authorization: Bearer dapi-spn"))
        #expect(!forwarded.contains("firefly_app_token"))
        try app.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
        let relayed = try proxy.client.outboundText()
        #expect(relayed.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(relayed.hasSuffix("\r\n\r\nhello"))

        try proxy.client.writeInbound(proxy.request("/second"))
        #expect(proxy.apps.opened.count == 1)
        #expect(try app.outboundText().hasPrefix("GET /second HTTP/1.1\r\n"))
        // An app that says it closes is not asked again: the next request opens a new connection.
        try app.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"))
        #expect(try proxy.client.outboundText().hasSuffix("ok"))
        try proxy.client.writeInbound(proxy.request("/third"))
        #expect(proxy.apps.opened.count == 2)
        #expect(proxy.client.isActive)
    }

    @Test("a request body is streamed to the app, also one that arrives while the app connection opens")
    func requestBody() throws {
        let proxy = try EmbeddedProxy(connectsAtOnce: false)
        try proxy.client.writeInbound(proxy.request("/upload", method: "POST", extra: "Content-Length: 11\r\n", body: "hello "))
        try proxy.client.writeInbound(ByteBuffer(string: "world"))
        let app = try proxy.apps.completeConnect()
        let forwarded = try app.outboundText()
        #expect(forwarded.hasPrefix("POST /upload HTTP/1.1\r\n"))
        #expect(forwarded.contains("Content-Length: 11\r\n"))
        #expect(forwarded.hasSuffix("\r\n\r\nhello world"))
    }

    @Test("the app closing before its response head is a 502 page, and the browser's connection stays usable")
    func failureBeforeHead() throws {
        let proxy = try EmbeddedProxy()
        try proxy.client.writeInbound(proxy.request("/slow", accept: "text/html"))
        let app = try #require(proxy.apps.opened.first)
        _ = try app.outboundText()
        try app.close().wait()
        let answer = try proxy.client.outboundText()
        #expect(answer.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        #expect(answer.contains("The app closed the connection."))
        #expect(proxy.client.isActive)
        // The next request gets a new app connection.
        try proxy.client.writeInbound(proxy.request("/again"))
        #expect(proxy.apps.opened.count == 2)
    }

    @Test("an app that cannot be reached is a 502 JSON answer for an API client")
    func unreachableApp() throws {
        let proxy = try EmbeddedProxy(refusesConnections: true)
        try proxy.client.writeInbound(proxy.request("/api/data"))
        let answer = try proxy.client.outboundText()
        #expect(answer.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        #expect(answer.contains("\"app_unavailable\""))
        #expect(proxy.client.isActive)
    }

    @Test("the app failing after its response head cuts the browser's connection: a truncated response never looks complete")
    func failureAfterHead() throws {
        let proxy = try EmbeddedProxy()
        try proxy.client.writeInbound(proxy.request("/download"))
        let app = try #require(proxy.apps.opened.first)
        try app.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst ten."))
        #expect(try proxy.client.outboundText().hasSuffix("first ten."))
        try app.close().wait()
        #expect(!proxy.client.isActive)
        #expect(try proxy.client.outboundText().isEmpty)
    }

    @Test("a session that has ended is refused with 401 before any app connection is opened")
    func sessionEnded() throws {
        let proxy = try EmbeddedProxy(sessions: .gone)
        try proxy.client.writeInbound(proxy.request("/"))
        let answer = try proxy.client.outboundText()
        #expect(answer.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        #expect(answer.contains("session has ended"))
        #expect(proxy.apps.opened.isEmpty)
    }

    @Test("backpressure: the app is not read while the browser cannot take more, nginx not while the app cannot")
    func backpressure() throws {
        let proxy = try EmbeddedProxy()
        try proxy.client.writeInbound(proxy.request("/big", method: "POST", extra: "Transfer-Encoding: chunked\r\n"))
        let app = try #require(proxy.apps.opened.first)
        try app.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))

        // Browser side full: the app's reads are held, and issued once it drains.
        let appReads = proxy.apps.reads[0]
        proxy.client.isWritable = false
        app.pipeline.read()
        #expect(appReads.count == 0)
        proxy.client.isWritable = true
        proxy.client.pipeline.fireChannelWritabilityChanged()
        #expect(appReads.count == 1)

        // App side full: nginx's reads are held, and issued once the app's connection drains.
        let before = proxy.clientReads.count
        app.isWritable = false
        proxy.client.pipeline.read()
        #expect(proxy.clientReads.count == before)
        app.isWritable = true
        app.pipeline.fireChannelWritabilityChanged()
        #expect(proxy.clientReads.count == before + 1)
    }

    @Test("WebSocket: the app's 101 is relayed, bytes flow both ways (also those right behind the 101), half-close is passed on")
    func webSocketSplice() throws {
        let proxy = try EmbeddedProxy()
        try proxy.client.writeInbound(proxy.request("/ws", extra: "Origin: https://vscode--acme.apps.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"))
        let app = try #require(proxy.apps.opened.first)
        let forwarded = try app.outboundText()
        #expect(forwarded.hasPrefix("GET /ws HTTP/1.1\r\n"))
        #expect(forwarded.lowercased().contains("upgrade: websocket"))
        try app.writeInbound(ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\u{1}early"))
        let switched = try proxy.client.outboundText()
        #expect(switched.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        proxy.loop.run()  // the splice is installed on the next turn of the loop
        #expect(try proxy.client.outboundText() == "\u{1}early")

        try proxy.client.writeInbound(ByteBuffer(string: "\u{2}to the app"))
        #expect(try app.outboundText() == "\u{2}to the app")
        try app.writeInbound(ByteBuffer(string: "\u{3}to the browser"))
        #expect(try proxy.client.outboundText() == "\u{3}to the browser")

        // The splice keeps backpressure: the app is not read while the browser's side is full.
        let appReads = proxy.apps.reads[0].count
        proxy.client.isWritable = false
        app.pipeline.read()
        #expect(proxy.apps.reads[0].count == appReads)
        proxy.client.isWritable = true
        proxy.client.pipeline.fireChannelWritabilityChanged()
        #expect(proxy.apps.reads[0].count == appReads + 1)

        // The browser finished sending: the app's side is closed for output only, and still read.
        proxy.client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(proxy.apps.closes[0].modes == [.output])
        #expect(app.isActive)
        try app.writeInbound(ByteBuffer(string: "\u{4}last words"))
        #expect(try proxy.client.outboundText() == "\u{4}last words")
        // The app closing ends both.
        try app.close().wait()
        #expect(!proxy.client.isActive)
    }

    @Test("a stop closes an idle connection at once and a busy one after its response")
    func drain() throws {
        let idle = try EmbeddedProxy()
        idle.client.pipeline.fireUserInboundEventTriggered(ProxyDrainEvent())
        #expect(!idle.client.isActive)

        let busy = try EmbeddedProxy()
        try busy.client.writeInbound(busy.request("/"))
        busy.client.pipeline.fireUserInboundEventTriggered(ProxyDrainEvent())
        #expect(busy.client.isActive)
        let app = try #require(busy.apps.opened.first)
        try app.writeInbound(ByteBuffer(string: "HTTP/1.1 204 No Content\r\n\r\n"))
        #expect(try busy.client.outboundText().hasPrefix("HTTP/1.1 204 No Content\r\n"))
        #expect(!busy.client.isActive)
    }
}
