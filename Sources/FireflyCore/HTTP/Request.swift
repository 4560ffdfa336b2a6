/// What a handler knows about the incoming HTTP request.
public struct Request: Sendable {
    /// Upper-case method.
    public var method: String
    /// Decoded path segments (`/api/a%2Fb/c` → `["api", "a/b", "c"]`).
    public var pathSegments: [String]
    /// The raw request path as sent (percent-encoded, without the query).
    public var rawPath: String
    /// Decoded query parameters, in order.
    public var query: [(name: String, value: String)]
    /// Header fields, names lower-case.
    public var headers: [String: String]
    /// Request id from nginx (`$request_id`), or one made here when absent.
    public var requestID: String
    /// The client address nginx saw.
    public var remoteAddress: String
    /// `Content-Length`, when given.
    public var contentLength: Int?

    public init(method: String, pathSegments: [String], rawPath: String, query: [(name: String, value: String)],
                headers: [String: String], requestID: String, remoteAddress: String, contentLength: Int?) {
        self.method = method
        self.pathSegments = pathSegments
        self.rawPath = rawPath
        self.query = query
        self.headers = headers
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.contentLength = contentLength
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// True when the client connected from the loopback interface.
    public var isFromLoopback: Bool {
        remoteAddress == "127.0.0.1" || remoteAddress == "::1" || remoteAddress.hasPrefix("127.")
    }
}
