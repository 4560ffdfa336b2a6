import ProxyCore
import Testing

/// The app proxy's exchange decisions without channels: completion, reuse of the app connection,
/// failures before and after the response head, app connections that end.
@Suite("Proxy exchange")
struct ProxyExchangeTests {
    @Test("request then response: complete once both ended; the app connection is kept while it is open")
    func ordinary() {
        var exchange = ProxyExchange()
        let completeAfterRequest = exchange.requestDidEnd()
        #expect(!completeAfterRequest)
        exchange.responseHeadRelayed(status: 200, http11: true, connectionClose: false)
        exchange.responseBodySent(bytes: 10)
        exchange.responseBodySent(bytes: 5)
        let completeAfterResponse = exchange.responseDidEnd()
        #expect(completeAfterResponse)
        #expect(exchange.isComplete)
        #expect(exchange.status == 200 && exchange.bytesOut == 15)
        #expect(exchange.completion(appConnectionActive: true) == .keepAppConnection)
        #expect(exchange.completion(appConnectionActive: false) == .closeAppConnection)
    }

    @Test("an app that answers before the request body ended: complete when it ends, the app connection is not reused")
    func earlyAnswer() {
        var exchange = ProxyExchange()
        exchange.responseHeadRelayed(status: 413, http11: true, connectionClose: false)
        let completeAfterResponse = exchange.responseDidEnd()
        #expect(!completeAfterResponse)
        let completeAfterRequest = exchange.requestDidEnd()
        #expect(completeAfterRequest)
        #expect(exchange.completion(appConnectionActive: true) == .closeAppConnection)
    }

    @Test("HTTP/1.0 or Connection: close from the app: not reused", arguments: [(false, false), (true, true), (false, true)])
    func appWillClose(http11: Bool, connectionClose: Bool) {
        var exchange = ProxyExchange()
        _ = exchange.requestDidEnd()
        exchange.responseHeadRelayed(status: 200, http11: http11, connectionClose: connectionClose)
        _ = exchange.responseDidEnd()
        #expect(exchange.completion(appConnectionActive: true) == .closeAppConnection)
    }

    @Test("failure before the response head: an error answer; the rest of an unfinished body is discarded")
    func failureBeforeHead() {
        var pending = ProxyExchange()
        let pendingAction = pending.fail(status: 502)
        #expect(pendingAction == .answer(status: 502, discardBody: true))
        #expect(pending.status == 502)
        var sent = ProxyExchange()
        _ = sent.requestDidEnd()
        let sentAction = sent.fail(status: 504)
        #expect(sentAction == .answer(status: 504, discardBody: false))
    }

    @Test("failure after the response head: the browser's connection is cut, never a complete-looking response")
    func failureAfterHead() {
        var exchange = ProxyExchange()
        _ = exchange.requestDidEnd()
        exchange.responseHeadRelayed(status: 200, http11: true, connectionClose: false)
        exchange.responseBodySent(bytes: 100)
        let action = exchange.fail(status: 502)
        #expect(action == .closeClient)
        #expect(exchange.completion(appConnectionActive: true) == .closeAppConnection)
    }

    @Test("the app connection ending: 504 when too slow, 502 otherwise, nothing once the response ended")
    func appEnding() {
        let open = ProxyExchange()
        #expect(open.failureStatus(for: .timedOut) == 504)
        #expect(open.failureStatus(for: .closed) == 502)
        #expect(open.failureStatus(for: .failed) == 502)
        var done = ProxyExchange()
        _ = done.requestDidEnd()
        _ = done.responseDidEnd()
        #expect(done.failureStatus(for: .closed) == nil)
        #expect(done.failureStatus(for: .timedOut) == nil)
    }

    @Test("a WebSocket upgrade is logged as 101 and counts as a response begun")
    func upgrade() {
        var exchange = ProxyExchange()
        exchange.switchedProtocols()
        #expect(exchange.status == 101)
        let action = exchange.fail(status: 502)
        #expect(action == .closeClient)
    }
}
