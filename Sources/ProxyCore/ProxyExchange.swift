/// One proxied exchange's progress and decisions, without I/O: when it is complete, whether the
/// app connection may serve the next request, what a failure means for the browser (an error page
/// while nothing was sent, a cut connection once a response has begun), and what an app connection
/// that ended means. `FireflyProxy`'s client handler feeds it the events of its two channels and
/// performs the answers.
public struct ProxyExchange: Sendable, Equatable {
    /// How the app connection ended before the response did.
    public enum AppEnding: Sendable, Equatable {
        case timedOut
        case closed
        case failed
    }

    /// What to do about a failed exchange.
    public enum FailureAction: Sendable, Equatable {
        /// Nothing reached the browser yet: answer with this error status. When `discardBody`, the
        /// rest of the request body is still coming and is read and dropped.
        case answer(status: Int, discardBody: Bool)
        /// A response had begun: close the browser's connection so it sees a truncated response,
        /// never a complete-looking one.
        case closeClient
    }

    /// What to do with the app connection when the exchange completes.
    public enum Completion: Sendable, Equatable {
        case keepAppConnection
        case closeAppConnection
    }

    public private(set) var requestEnded = false
    public private(set) var responseHeadSent = false
    public private(set) var responseEnded = false
    /// Whether the app connection may carry the next request.
    public private(set) var reusable = true
    /// The status the browser got (or will get), for the log.
    public private(set) var status = 0
    /// Response body bytes sent to the browser.
    public private(set) var bytesOut = 0

    public init() {}

    /// Both directions are done.
    public var isComplete: Bool { requestEnded && responseEnded }

    /// The browser's request body ended. Returns whether the exchange is now complete.
    public mutating func requestDidEnd() -> Bool {
        requestEnded = true
        return isComplete
    }

    /// The app's response head is being relayed. A connection the app will close (HTTP/1.0 or
    /// `Connection: close`) is not kept.
    public mutating func responseHeadRelayed(status: Int, http11: Bool, connectionClose: Bool) {
        responseHeadSent = true
        self.status = status
        if !http11 || connectionClose { reusable = false }
    }

    /// The app switched to WebSocket: the exchange becomes a splice.
    public mutating func switchedProtocols() {
        responseHeadSent = true
        status = 101
    }

    public mutating func responseBodySent(bytes: Int) {
        bytesOut += bytes
    }

    /// The app's response ended. An app that answered before reading the whole request leaves
    /// unread bytes on its connection, so that connection is not kept. Returns whether the
    /// exchange is now complete.
    public mutating func responseDidEnd() -> Bool {
        responseEnded = true
        if !requestEnded { reusable = false }
        return isComplete
    }

    /// The app connection after a complete exchange.
    public func completion(appConnectionActive: Bool) -> Completion {
        reusable && appConnectionActive ? .keepAppConnection : .closeAppConnection
    }

    /// The exchange cannot complete (the app is unreachable, ended early, or the session check
    /// refused it) with `status`.
    public mutating func fail(status: Int) -> FailureAction {
        self.status = status
        reusable = false
        return responseHeadSent ? .closeClient : .answer(status: status, discardBody: !requestEnded)
    }

    /// What the app connection ending means: nil once the response has ended (nothing is lost),
    /// else the status to fail with — 504 when the app was too slow, 502 otherwise.
    public func failureStatus(for ending: AppEnding) -> Int? {
        guard !responseEnded else { return nil }
        return ending == .timedOut ? 504 : 502
    }
}
