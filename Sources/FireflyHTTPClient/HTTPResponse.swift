import CCurl

/// A received HTTP response.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The whole body.
    public var body: [UInt8]

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
