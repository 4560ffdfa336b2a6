/// The parameters of one FastCGI request (`NAME=VALUE` pairs sent by nginx), with the HTTP header
/// fields (`HTTP_*`) turned back into lower-case header names.
public struct CGIParameters: Sendable {
    /// Values by parameter name, as raw bytes (nginx may pass bytes that are not UTF-8).
    public private(set) var values: [String: [UInt8]] = [:]
    /// The total size in bytes of all `HTTP_*` names and values: what the client sent as headers.
    public private(set) var headerBytes = 0
    /// Entries that were not `NAME=VALUE` (no `=`, empty or non-ASCII name).
    public private(set) var malformedEntries = 0

    /// Parses raw `NAME=VALUE` entries.
    public init(rawEntries: some Sequence<[UInt8]>) {
        for entry in rawEntries {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")), equals > 0,
                  entry[..<equals].allSatisfy({ $0 > 0x20 && $0 < 0x7f })
            else {
                malformedEntries += 1
                continue
            }
            let name = String(decoding: entry[..<equals], as: UTF8.self)
            let value = Array(entry[(equals + 1)...])
            if name.hasPrefix("HTTP_") { headerBytes += entry.count }
            values[name] = value
        }
    }

    /// The value of `name` if it is present and valid UTF-8.
    public func string(_ name: String) -> String? {
        guard let raw = values[name] else { return nil }
        return String(validating: raw, as: UTF8.self)
    }

    /// True when `name` is present but not valid UTF-8.
    public func isInvalidUTF8(_ name: String) -> Bool {
        guard let raw = values[name] else { return false }
        return String(validating: raw, as: UTF8.self) == nil
    }

    /// HTTP request header fields: `HTTP_X_REQUEST_ID` becomes `x-request-id`. Values that are not
    /// valid UTF-8 are dropped (no header FireFly reads may carry such bytes).
    public var httpHeaders: [String: String] {
        var headers: [String: String] = [:]
        for (name, raw) in values where name.hasPrefix("HTTP_") {
            guard let value = String(validating: raw, as: UTF8.self) else { continue }
            let headerName = String(name.dropFirst(5).lowercased().map { $0 == "_" ? "-" : $0 })
            headers[headerName] = value
        }
        // nginx passes these two outside the HTTP_ namespace.
        if let type = string("CONTENT_TYPE"), !type.isEmpty { headers["content-type"] = type }
        if let length = string("CONTENT_LENGTH"), !length.isEmpty { headers["content-length"] = length }
        return headers
    }
}
