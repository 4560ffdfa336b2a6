/// The parameters of one FastCGI request (`NAME=VALUE` pairs sent by nginx), with the HTTP header
/// fields (`HTTP_*`) turned back into lower-case header names. Entries stay as the raw bytes they
/// arrived as (nginx may pass bytes that are not UTF-8); lookups scan the short list, which costs
/// less per request than building a dictionary.
public struct CGIParameters: Sendable {
    private var entries: [[UInt8]] = []
    /// The total size in bytes of all `HTTP_*` entries: what the client sent as headers.
    public private(set) var headerBytes = 0
    /// Entries that were not `NAME=VALUE` (no `=`, empty or non-ASCII name).
    public private(set) var malformedEntries = 0

    private static let equals = UInt8(ascii: "=")
    private static let httpPrefix: [UInt8] = Array("HTTP_".utf8)

    /// Parses raw `NAME=VALUE` entries.
    public init(rawEntries: some Sequence<[UInt8]>) {
        for entry in rawEntries {
            guard let equals = entry.firstIndex(of: Self.equals), equals > 0,
                  entry[..<equals].allSatisfy({ $0 > 0x20 && $0 < 0x7f })
            else {
                malformedEntries += 1
                continue
            }
            if entry.starts(with: Self.httpPrefix) { headerBytes += entry.count }
            entries.append(entry)
        }
    }

    /// The raw value of `name` (the last one wins, as nginx's own lookups do).
    public func bytes(_ name: String) -> ArraySlice<UInt8>? {
        let key = Array(name.utf8)
        for entry in entries.reversed() where entry.count > key.count && entry[key.count] == Self.equals && entry.starts(with: key) {
            return entry[(key.count + 1)...]
        }
        return nil
    }

    /// The value of `name` if it is present and valid UTF-8.
    public func string(_ name: String) -> String? {
        bytes(name).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// True when `name` is present but not valid UTF-8.
    public func isInvalidUTF8(_ name: String) -> Bool {
        guard let raw = bytes(name) else { return false }
        return String(validating: raw, as: UTF8.self) == nil
    }

    /// HTTP request header fields: `HTTP_X_REQUEST_ID` becomes `x-request-id`. Values that are not
    /// valid UTF-8 are dropped (no header FireFly reads may carry such bytes).
    public var httpHeaders: [String: String] {
        var headers: [String: String] = [:]
        for entry in entries where entry.starts(with: Self.httpPrefix) {
            guard let equals = entry.firstIndex(of: Self.equals),
                  let value = String(validating: entry[(equals + 1)...], as: UTF8.self) else { continue }
            let name = entry[Self.httpPrefix.count..<equals].map { byte -> UInt8 in
                switch byte {
                case UInt8(ascii: "_"): UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: byte
                }
            }
            headers[String(decoding: name, as: UTF8.self)] = value
        }
        // nginx passes these two outside the HTTP_ namespace.
        if let type = string("CONTENT_TYPE"), !type.isEmpty { headers["content-type"] = type }
        if let length = string("CONTENT_LENGTH"), !length.isEmpty { headers["content-length"] = length }
        return headers
    }
}
