import CCurl

/// An outbound HTTP request.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// Absolute URL.
    public var url: String
    /// Header fields in order.
    public var headers: [(name: String, value: String)]
    /// Request body, if any.
    public var body: [UInt8]?

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
