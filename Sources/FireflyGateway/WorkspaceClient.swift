import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflySettings
import FireflyJSON
import FireflyPostgres
import FireflySystem
import FoundationEssentials
import Logging

/// Calls to an organization's workspace with its SPN token: 401 drops the token and retries once;
/// 429 (and 503 where repeating is safe) are retried honouring `Retry-After`, otherwise with
/// jittered exponential backoff, inside the configured budget; every attempt is audited; failures
/// are mapped to FireFly's errors with details only in the log.
public final class WorkspaceClient: Sendable {
    /// The product token FireFly names itself with at Databricks.
    public static let userAgent = "firefly-gateway/0.1"

    /// A successful answer.
    public struct Reply: Sendable {
        public let status: Int
        public let body: [UInt8]
        public var headers: [(name: String, value: String)] = []

        /// The first value of a response header (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    let tokens: TokenManager
    let directory = OrganizationDirectory()
    let settings: GatewaySettings
    let logger: Logger
    /// This worker's audit rows, written by group commit.
    let auditWriter: AuditWriter

    public init(vault: Vault, settings: GatewaySettings, logger: Logger) {
        auditWriter = AuditWriter(logger: logger)
        tokens = TokenManager(vault: vault, logger: logger, lockWaitSeconds: settings.timeoutMilliseconds / 1000 + 5)
        self.settings = settings
        self.logger = logger
    }

    /// The PostgreSQL channel that announces changed organization settings (workspace, principal):
    /// a trigger sends the organization's id, and every worker forgets what it holds of it.
    public static let organizationsChannel = "firefly_organizations"

    /// A `firefly_organizations` notification: the organization's id.
    public func organizationChanged(_ payload: String) {
        guard let organizationID = Int64(payload) else { return }
        directory.forget(organizationID)
        tokens.forget(organizationID)
    }

    /// The caller's organization settings (503 when not configured).
    public func workspace(for caller: Caller, connection: PostgresConnection) throws -> OrganizationWorkspace {
        try directory.workspace(caller.organizationID, connection: connection)
    }

    /// The organization's current SPN bearer token and its expiry (seconds since the epoch), for
    /// minting app-proxy tokens that never outlive it.
    public func bearer(for caller: Caller, connection: PostgresConnection, http: HTTPClient) throws -> (token: String, expiresAt: Double) {
        let workspace = try self.workspace(for: caller, connection: connection)
        let token = try tokens.token(for: workspace, connection: connection, http: http)
        return (token, tokens.expiry(of: workspace.id) ?? Date().timeIntervalSince1970 + TokenManager.renewalMargin)
    }

    /// One API call. `template` names the endpoint in the audit log (no ids or names in it);
    /// `idempotent` allows retrying 503s and network failures.
    public func call(_ method: String, template: String, path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                     idempotent: Bool, caller: Caller, connection: PostgresConnection, http: HTTPClient) throws -> Reply {
        let workspace = try self.workspace(for: caller, connection: connection)
        var url = workspace.workspaceURL + path
        if !query.isEmpty { url += "?" + FormEncoding.encode(query) }
        let deadline = MonotonicClock.nanoseconds() + UInt64(settings.retryBudgetMilliseconds) * 1_000_000
        var attempt = 0
        var renewedToken = false
        while true {
            attempt += 1
            let token = try tokens.token(for: workspace, connection: connection, http: http)
            var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let started = MonotonicClock.nanoseconds()
            var response: HTTPResponse?
            do {
                response = try http.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
            } catch {
                logger.warning("Databricks call failed", metadata: ["template": "\(template)", "error": "\(error)", "request.id": "\(caller.requestID)"])
            }
            audit(caller, method: method, template: template, status: response?.status ?? 0, since: started, connection: connection)

            guard let response else {
                if idempotent, let pause = pause(attempt: attempt, retryAfter: nil, deadline: deadline) {
                    GatewayMetrics.countRetry(template: template)
                    MonotonicClock.sleep(milliseconds: pause)
                    continue
                }
                throw GatewayError.unreachable()
            }
            switch response.status {
            case 200..<300:
                return Reply(status: response.status, body: response.body, headers: response.headers)
            case 401 where !renewedToken:
                renewedToken = true
                try tokens.discard(token, organizationID: workspace.id, connection: connection)
                continue
            case 429, 503:
                let retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingSpaces) }
                if response.status == 429 || idempotent, let pause = pause(attempt: attempt, retryAfter: retryAfter, deadline: deadline) {
                    GatewayMetrics.countRetry(template: template)
                    MonotonicClock.sleep(milliseconds: pause)
                    continue
                }
                throw GatewayError.busy(retryAfter: max(1, retryAfter ?? 1))
            default:
                throw map(response, template: template, caller: caller)
            }
        }
    }

    /// Streams a request body to the workspace (one attempt: a stream cannot be replayed), audited.
    public func upload(_ method: String, template: String, path: String, query: [(String, String)] = [], length: Int64,
                       caller: Caller, connection: PostgresConnection, http: HTTPClient, next: @escaping () throws -> [UInt8]) throws -> Reply {
        let workspace = try self.workspace(for: caller, connection: connection)
        var url = workspace.workspaceURL + path
        if !query.isEmpty { url += "?" + FormEncoding.encode(query) }
        let token = try tokens.token(for: workspace, connection: connection, http: http)
        let started = MonotonicClock.nanoseconds()
        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(method: method, url: url, headers: [("Authorization", "Bearer \(token)"),
                                                                                  ("Content-Type", "application/octet-stream")]),
                                     length: length, next: next)
        } catch {
            audit(caller, method: method, template: template, status: 0, since: started, connection: connection)
            if let error = error as? APIError { throw error }  // the body source failed (the client's upload broke off)
            logger.warning("Databricks upload failed", metadata: ["template": "\(template)", "error": "\(error)", "request.id": "\(caller.requestID)"])
            throw GatewayError.unreachable()
        }
        audit(caller, method: method, template: template, status: response.status, since: started, connection: connection)
        if response.status == 401 { try tokens.discard(token, organizationID: workspace.id, connection: connection) }
        guard (200..<300).contains(response.status) else {
            if response.status == 429 || response.status == 503 { throw GatewayError.busy(retryAfter: 1) }
            throw map(response, template: template, caller: caller)
        }
        return Reply(status: response.status, body: response.body)
    }

    /// Streams a download from the workspace into `consume` (one attempt; false from `consume`
    /// aborts it), audited; the status.
    public func download(template: String, path: String, caller: Caller, connection: PostgresConnection, http: HTTPClient,
                         consume: @escaping ([UInt8]) -> Bool) throws -> Int {
        let workspace = try self.workspace(for: caller, connection: connection)
        let token = try tokens.token(for: workspace, connection: connection, http: http)
        let started = MonotonicClock.nanoseconds()
        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(url: workspace.workspaceURL + path, headers: [("Authorization", "Bearer \(token)")]), consume: consume)
        } catch {
            audit(caller, method: "GET", template: template, status: 0, since: started, connection: connection)
            throw GatewayError.unreachable()
        }
        audit(caller, method: "GET", template: template, status: response.status, since: started, connection: connection)
        return response.status
    }

    /// Milliseconds to wait before the next attempt, or nil when the budget does not allow one.
    private func pause(attempt: Int, retryAfter: Int?, deadline: UInt64) -> Int? {
        let backoff: Int
        if let retryAfter {
            backoff = retryAfter * 1000
        } else {
            let base = min(5000, 200 << min(attempt - 1, 5))
            backoff = base / 2 + Int.random(in: 0...(base / 2))
        }
        let now = MonotonicClock.nanoseconds()
        guard now + UInt64(backoff) * 1_000_000 < deadline else { return nil }
        return backoff
    }

    /// Databricks' error → FireFly's: 4xx keep their status and Databricks' message (it is about
    /// the caller's input); 5xx become a generic 502.
    private func map(_ response: HTTPResponse, template: String, caller: Caller) -> APIError {
        let object = JSONValue.object(response.body)
        let message = object?["message"]?.string.map { String($0.prefix(500)) }
        let code = object?["error_code"]?.string ?? "status \(response.status)"
        logger.info("Databricks refused a call", metadata: ["template": "\(template)", "status": "\(response.status)", "error_code": "\(code)",
                                                            "request.id": "\(caller.requestID)"])
        // "Already exists" is one answer whatever the API says it with (Files API 409, DBFS 400), so
        // clients can offer to replace.
        if code == "RESOURCE_ALREADY_EXISTS" || code == "ALREADY_EXISTS" || (response.status == 409 && template.contains("/fs/files")) {
            return APIError(status: 409, code: "already_exists", message: message ?? "It already exists.")
        }
        switch response.status {
        case 400: return APIError(status: 400, code: "bad_request", message: message ?? "Databricks refused the request.")
        case 401, 403: return APIError(status: 403, code: "forbidden", message: message ?? "Your organization's service principal may not do this.")
        case 404: return APIError(status: 404, code: "not_found", message: (message.map { $0 + " " } ?? "") + "Check the name; your organization sees only what its service principal is granted.")
        case 409: return APIError(status: 409, code: "conflict", message: message ?? "Conflict.")
        case 400..<500: return APIError(status: response.status, code: "databricks_refused", message: message ?? "Databricks refused the request.")
        default:
            logger.warning("Databricks failed", metadata: ["template": "\(template)", "status": "\(response.status)", "body": "\(String(decoding: response.body.prefix(300), as: UTF8.self))"])
            return GatewayError.badAnswer()
        }
    }

    /// Writes the audit row of one call that began at `started` (monotonic nanoseconds).
    private func audit(_ caller: Caller, method: String, template: String, status: Int, since started: UInt64, connection: PostgresConnection) {
        let elapsed = MonotonicClock.nanoseconds() - started
        let durationMilliseconds = Double(elapsed) / 1e6
        GatewayMetrics.countCall(method: method, template: template, status: status, nanoseconds: elapsed)
        auditWriter.record(AuditRow(userID: caller.userID, organizationID: caller.organizationID, method: method, template: template,
                                    status: status, durationMilliseconds: durationMilliseconds, requestID: caller.requestID),
                           connection: connection)
    }
}
