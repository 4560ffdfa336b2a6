import FireflyCore
import FireflyCrypto
import FireflyFastCGI
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity
import FireflyPostgres
import FireflySystem
import Logging

/// Turns a FastCGI request into a `Request`, enforces the limits, routes it, runs the handler,
/// writes the response and logs one line. Every failure becomes the JSON error envelope.
struct RequestDispatcher: Sendable {
    /// The answer while PostgreSQL cannot be reached.
    static let databaseUnavailable = APIError(status: 503, code: "database_unavailable",
                                              message: "FireFly's database is unavailable right now; try again shortly.",
                                              headers: [("Retry-After", "1")])

    let router: Router<Handler>
    let configuration: FireflyConfiguration
    let identity: Identity
    let logger: Logger
    let fairUse: FairUseGate

    init(router: Router<Handler>, configuration: FireflyConfiguration, identity: Identity, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.identity = identity
        self.logger = logger
        fairUse = FairUseGate(limits: configuration.fairUse, threads: configuration.pool.threadsPerWorker)
    }

    /// Per-thread state: the thread's own database connection.
    final class ThreadSession {
        let database: DatabaseConnector
        /// The thread's libcurl handle for Databricks: its connections are kept and reused.
        let workspaceHTTP: HTTPClient?
        /// The thread's request counters and timers.
        let metrics = RequestMetrics()
        init(database: DatabaseConnector, workspaceHTTP: HTTPClient?) {
            self.database = database
            self.workspaceHTTP = workspaceHTTP
        }
    }

    func makeThreadSession() -> ThreadSession {
        let gateway = configuration.gateway
        return ThreadSession(database: DatabaseConnector(settings: configuration.database,
                                                         statementTimeoutMilliseconds: configuration.limits.timeoutMilliseconds),
                             workspaceHTTP: try? HTTPClient(options: HTTPClientOptions(caFile: gateway.caFile, timeoutMilliseconds: gateway.timeoutMilliseconds,
                                                                                       userAgent: WorkspaceClient.userAgent)))
    }

    /// Handles one request; returns false when the connection must not be reused (unread body left).
    func handle(_ slot: FastCGIRequest, session: ThreadSession) -> Bool {
        let started = MonotonicClock.nanoseconds()
        let parameters = slot.parameters()
        let requestID = Self.requestID(from: parameters)
        var pattern = "-"
        var method = parameters.string("REQUEST_METHOD") ?? "-"
        var context: RequestContext?
        var counted: SessionInfo?
        var workerIsBusy = false

        var response: Response
        do {
            let request = try makeRequest(parameters, requestID: requestID)
            method = request.method
            // With login configured, every API call needs a session before anything else (an
            // unauthenticated caller learns nothing about which routes exist).
            var apiSession: SessionInfo?
            if identity.isEnabled, request.pathSegments.first == "api", request.pathSegments.dropFirst().first != "_test" {
                apiSession = try session.database.withConnection {
                    try identity.validate(cookieHeader: request.headers["cookie"], connection: $0)
                }
                guard let validated = apiSession else {
                    throw APIError(status: 401, code: "unauthenticated", message: "Sign in first: no valid session.",
                                   headers: [("Set-Cookie", Identity.clearedCookie)])
                }
                if !["GET", "HEAD", "OPTIONS"].contains(request.method), let refusal = identity.csrfRefusal(headers: request.headers, session: validated) {
                    throw APIError(status: 403, code: "csrf_rejected", message: refusal)
                }
                // Fair use: no user or organization may hold the worker's threads.
                workerIsBusy = try fairUse.begin(user: validated.userID, organization: validated.organizationID)
                counted = validated
            }
            switch router.route(method: request.method, segments: request.pathSegments) {
            case .notFound:
                throw APIError.notFound("No route for \(request.method) \(request.rawPath).")
            case .methodNotAllowed(let allowed):
                throw APIError.methodNotAllowed(allowed: allowed)
            case .matched(let match):
                pattern = match.pattern
                let handlerContext = RequestContext(
                    request: request, routeParameters: match.parameters, logger: logger,
                    database: session.database, configuration: configuration,
                    deadline: started + UInt64(configuration.limits.timeoutMilliseconds) * 1_000_000, slot: slot)
                handlerContext.session = apiSession
                handlerContext.workspaceHTTP = session.workspaceHTTP
                handlerContext.workerIsBusy = workerIsBusy
                context = handlerContext
                response = try match.handler(handlerContext)
            }
        } catch let error as APIError {
            response = .error(error, requestID: requestID)
        } catch let error as PostgresError where error.isServerUnavailable {
            // PostgreSQL is down or restarting: the client may retry; this thread reconnects on
            // its next request.
            logger.warning("database unavailable", metadata: ["request.id": "\(requestID)", "route": "\(pattern)", "error": "\(error)"])
            response = .error(Self.databaseUnavailable, requestID: requestID)
        } catch {
            logger.error("handler failed", metadata: ["request.id": "\(requestID)", "route": "\(pattern)", "error": "\(error)"])
            response = .error(.internalError(), requestID: requestID)
        }

        // Work that completed is answered as it completed, however long it took: turning it into a
        // 504 would invite a duplicate retry of a statement already submitted or a file already
        // written. The time limit is enforced where the waiting happens (libpq, libcurl, handlers).
        let elapsedMilliseconds = Double(MonotonicClock.nanoseconds() - started) / 1e6
        let aborted = context?.streamAborted == true
        if aborted {
            logger.warning("streamed response cut", metadata: ["request.id": "\(requestID)", "route": "\(pattern)", "status": "\(response.status)"])
            slot.abort()
        } else if !response.alreadySent {
            write(response, method: method, to: slot)
        }
        if let counted { fairUse.end(user: counted.userID, organization: counted.organizationID) }

        // Metadata is an autoclosure: nothing is formatted when the level filters the line out.
        session.metrics.record(route: pattern, method: method, status: response.status, nanoseconds: MonotonicClock.nanoseconds() - started)
        let slow = elapsedMilliseconds >= Double(configuration.limits.slowThresholdMilliseconds)
        logger.log(level: slow ? .warning : .info, slow ? "slow request" : "request", metadata: [
            "request.id": "\(requestID)", "method": "\(method)", "route": "\(pattern)",
            "status": "\(response.status)", "duration_ms": "\((elapsedMilliseconds * 100).rounded() / 100)",
        ])
        return !aborted && drainUnreadBody(slot, context: context, contentLength: Int(parameters.string("CONTENT_LENGTH") ?? "") ?? 0)
    }

    private func write(_ response: Response, method: String, to slot: FastCGIRequest) {
        var bytes = response.cgiHead()
        if method != "HEAD" { bytes += response.body }
        slot.write(bytes)
    }

    /// Reads what the handler left of the body so the kept connection stays in step; a large
    /// remainder is not worth reading: the connection is closed instead (libfcgi drains it on close).
    private func drainUnreadBody(_ slot: FastCGIRequest, context: RequestContext?, contentLength: Int) -> Bool {
        let unread = contentLength - (context?.bodyBytesRead ?? 0)
        guard unread > 0 else { return true }
        guard unread <= 256 * 1024 else { return false }
        while !slot.readBody(maximum: 64 * 1024).isEmpty {}
        return true
    }

    private func makeRequest(_ parameters: CGIParameters, requestID: String) throws -> Request {
        guard parameters.malformedEntries == 0 else {
            throw APIError.badRequest("The request parameters are malformed.")
        }
        if parameters.headerBytes > configuration.limits.maxHeaderBytes {
            throw APIError.headersTooLarge(limit: configuration.limits.maxHeaderBytes)
        }
        guard let method = parameters.string("REQUEST_METHOD"), Self.isToken(method) else {
            throw APIError.badRequest("The request method is missing or invalid.", code: "invalid_method")
        }
        guard let uri = parameters.string("REQUEST_URI"), uri.hasPrefix("/") else {
            throw APIError.badRequest("The request path is not valid UTF-8 or not absolute.", code: "invalid_path")
        }
        let pathEnd = uri.firstIndex(of: "?") ?? uri.endIndex
        let rawPath = String(uri[..<pathEnd])
        guard let segments = PercentDecoding.pathSegments(rawPath) else {
            throw APIError.badRequest("The request path has an invalid escape, invalid UTF-8 or a control character.", code: "invalid_path")
        }
        let rawQuery = pathEnd < uri.endIndex ? String(uri[uri.index(after: pathEnd)...]) : ""
        guard let query = PercentDecoding.query(rawQuery) else {
            throw APIError.badRequest("The query string has an invalid escape, invalid UTF-8 or a control character.", code: "invalid_query")
        }
        var contentLength: Int?
        if let text = parameters.string("CONTENT_LENGTH"), !text.isEmpty {
            guard let length = Int(text), length >= 0 else {
                throw APIError.badRequest("Content-Length is not a number.", code: "invalid_content_length")
            }
            contentLength = length
        }
        if let contentLength, contentLength > configuration.limits.maxBodyBytes {
            throw APIError.payloadTooLarge(limit: configuration.limits.maxBodyBytes)
        }
        return Request(
            method: method, pathSegments: segments, rawPath: rawPath, query: query,
            headers: parameters.httpHeaders, requestID: requestID,
            remoteAddress: parameters.string("REMOTE_ADDR") ?? "", contentLength: contentLength)
    }

    /// nginx's `$request_id` when it looks like one (hex, up to 64 characters), else a new one.
    static func requestID(from parameters: CGIParameters) -> String {
        if let given = parameters.bytes("REQUEST_ID"), (1...64).contains(given.count),
           given.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: "-") }) {
            return String(decoding: given, as: UTF8.self)
        }
        return SecureRandom.hex(16)
    }

    private static func isToken(_ method: String) -> Bool {
        (1...16).contains(method.utf8.count)
            && method.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }
}
