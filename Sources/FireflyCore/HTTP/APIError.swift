/// An error answered to the client as `{"error":{"code","message","request_id"}}`. The message is
/// written for the client; internal details belong in the log, never here.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status.
    public let status: Int
    /// Stable machine-readable code, e.g. `not_found`.
    public let code: String
    /// Human-readable explanation.
    public let message: String
    /// Extra response headers (e.g. `Allow` for 405, `Retry-After` for 503).
    public let headers: [(String, String)]

    public init(status: Int, code: String, message: String, headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.message == rhs.message
    }

    public static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(status: 400, code: code, message: message)
    }

    public static func notFound(_ message: String = "No such resource.") -> APIError {
        APIError(status: 404, code: "not_found", message: message)
    }

    public static func forbidden(_ message: String) -> APIError {
        APIError(status: 403, code: "forbidden", message: message)
    }

    public static func methodNotAllowed(allowed: [String]) -> APIError {
        APIError(status: 405, code: "method_not_allowed", message: "This resource allows \(allowed.joined(separator: ", ")).",
                 headers: [("Allow", allowed.joined(separator: ", "))])
    }

    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: "The request body is larger than the limit of \(limit) bytes.")
    }

    public static func headersTooLarge(limit: Int) -> APIError {
        APIError(status: 431, code: "request_header_fields_too_large", message: "The request header fields are larger than the limit of \(limit) bytes.")
    }

    public static func gatewayTimeout() -> APIError {
        APIError(status: 504, code: "gateway_timeout", message: "The request took longer than the time limit.")
    }

    public static func serviceUnavailable(_ message: String, retryAfterSeconds: Int? = nil) -> APIError {
        APIError(status: 503, code: "service_unavailable", message: message,
                 headers: retryAfterSeconds.map { [("Retry-After", String($0))] } ?? [])
    }

    public static func internalError() -> APIError {
        APIError(status: 500, code: "internal_error", message: "Something went wrong on our side; the request id identifies it in the logs.")
    }
}
