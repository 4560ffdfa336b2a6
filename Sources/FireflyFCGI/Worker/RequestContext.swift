import FireflyCore
import FireflyFastCGI
import FireflyHTTPClient
import FireflyIdentity
import FireflySystem
import Logging

/// Everything a handler gets: the request, its route captures, the thread's database connector,
/// the request's deadline, and the body stream.
final class RequestContext {
    let request: Request
    let routeParameters: [String: String]
    /// The worker's logger with this request's id attached (made on first use).
    lazy var logger: Logger = {
        var logger = baseLogger
        logger[metadataKey: "request.id"] = "\(request.requestID)"
        return logger
    }()
    private let baseLogger: Logger
    let database: DatabaseConnector
    let configuration: FireflyConfiguration
    /// Monotonic nanoseconds after which the request must be answered 504.
    let deadline: UInt64
    private let slot: FastCGIRequest
    private(set) var bodyBytesRead = 0
    /// The caller's session, when the dispatcher has validated one (every `/api/` request with login configured).
    var session: SessionInfo?
    /// The thread's HTTP client for Databricks calls (kept connections).
    var workspaceHTTP: HTTPClient?
    /// Whether half or more of the worker's threads were serving API requests when this one began.
    var workerIsBusy = false
    /// Set when a streamed response failed after its head was sent.
    private(set) var streamAborted = false

    init(request: Request, routeParameters: [String: String], logger: Logger, database: DatabaseConnector,
         configuration: FireflyConfiguration, deadline: UInt64, slot: FastCGIRequest) {
        self.request = request
        self.routeParameters = routeParameters
        self.baseLogger = logger
        self.database = database
        self.configuration = configuration
        self.deadline = deadline
        self.slot = slot
    }

    /// Milliseconds left before the deadline (0 when passed).
    var remainingMilliseconds: Int {
        let now = MonotonicClock.nanoseconds()
        return now >= deadline ? 0 : Int((deadline - now) / 1_000_000)
    }

    /// Throws 504 once the deadline has passed.
    func checkDeadline() throws {
        if remainingMilliseconds == 0 { throw APIError.gatewayTimeout() }
    }

    /// Reads the next piece of the body (at most `maximum` bytes); empty at the end.
    func readBodyChunk(maximum: Int = 64 * 1024) throws -> [UInt8] {
        let chunk = slot.readBody(maximum: maximum)
        bodyBytesRead += chunk.count
        if bodyBytesRead > configuration.limits.maxBodyBytes {
            throw APIError.payloadTooLarge(limit: configuration.limits.maxBodyBytes)
        }
        return chunk
    }

    /// Reads the whole body, up to the configured limit.
    func readBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let chunk = try readBodyChunk()
            if chunk.isEmpty { return body }
            body += chunk
        }
    }

    /// Streams a response: writes the head now, then lets `produce` write the body in pieces.
    /// A failure after the head is out can only cut the body short (it is logged by the caller).
    func stream(status: Int, headers: [(String, String)], produce: (([UInt8]) throws -> Void) throws -> Void) throws -> Response {
        var head = Response(status: status, headers: headers)
        head.body = []
        guard slot.write(head.cgiHead(streaming: true)) else { throw APIError.internalError() }
        do {
            try produce { bytes in
                guard slot.write(bytes) else { throw APIError(status: 499, code: "client_gone", message: "The client went away.") }
            }
        } catch {
            // Too late for an error answer: the connection is cut instead (see `FastCGIRequest.abort`).
            streamAborted = true
            throw error
        }
        return .streamed(status: status)
    }

    /// A route capture that the route table guarantees to exist. `.` and `..` (also decoded from
    /// `%2e`) are never a name: passed on to a path they would climb out of it, so they are refused.
    func parameter(_ name: String) throws -> String {
        guard let value = routeParameters[name] else { throw APIError.internalError() }
        guard value != ".", value != ".." else { throw APIError.badRequest("\(name) must not be . or ..") }
        return value
    }
}

/// A request handler.
typealias Handler = @Sendable (RequestContext) throws -> Response
