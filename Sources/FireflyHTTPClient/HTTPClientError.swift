import CCurl

/// A transport failure (no HTTP response): DNS, connect, TLS, timeout.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    /// libcurl's result code.
    public let code: Int
    /// libcurl's explanation.
    public let message: String

    public var description: String { "HTTP transport error \(code): \(message)" }

    /// True for a timeout.
    public var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
}
