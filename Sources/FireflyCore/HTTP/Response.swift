import FoundationEssentials

/// An HTTP response built by a handler, written out as a CGI response.
public struct Response: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields (no `Status`; it is derived).
    public var headers: [(String, String)]
    /// Body bytes.
    public var body: [UInt8]
    /// True when the handler already wrote head and body itself (a streamed response).
    public var alreadySent = false

    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Marks a response whose head and body the handler has streamed out already.
    public static func streamed(status: Int) -> Response {
        var response = Response(status: status)
        response.alreadySent = true
        return response
    }

    /// A JSON response from an `Encodable` value.
    public static func json(_ value: some Encodable, status: Int = 200, headers: [(String, String)] = []) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(value)
        return Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(body))
    }

    /// A JSON response from bytes that already are JSON.
    public static func rawJSON(_ bytes: [UInt8], status: Int = 200, headers: [(String, String)] = []) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: bytes)
    }

    /// The error envelope for `error`.
    public static func error(_ error: APIError, requestID: String) -> Response {
        let envelope = ErrorEnvelope(error: .init(code: error.code, message: error.message, request_id: requestID))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(envelope)).map(Array.init) ?? Array(#"{"error":{"code":"internal_error"}}"#.utf8)
        return Response(status: error.status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")] + error.headers, body: body)
    }

    /// The CGI response head (`Status:` line and fields) followed by the blank line. Without
    /// `streaming`, a `Content-Length` of the body is added when the handler set none; a streamed
    /// body has no length (nginx sends it chunked).
    public func cgiHead(streaming: Bool = false) -> [UInt8] {
        var head = "Status: \(status) \(Self.reason(for: status))\r\n"
        var hasLength = false
        for (name, value) in headers {
            // A CR or LF in a value would split the response: such a field is dropped.
            // (Checked on bytes: Swift treats "\r\n" as one Character, equal to neither "\r" nor "\n".)
            guard !name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == UInt8(ascii: ":") }),
                  !value.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { continue }
            if name.lowercased() == "content-length" { hasLength = true }
            head += "\(name): \(value)\r\n"
        }
        if !hasLength, !streaming { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8)
    }

    /// Standard reason phrases for the statuses FireFly sends.
    public static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 507: "Insufficient Storage"
        default: "Status \(status)"
        }
    }
}

