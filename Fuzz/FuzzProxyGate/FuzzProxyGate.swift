import ProxyCore

/// libFuzzer entry: the whole gate decision for one request to the app host. The input is the
/// request: the first line is `METHOD URI`, every further line a `name: value` header field.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyGate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
    let requestLine = lines.next().map(String.init) ?? ""
    let method = String(requestLine.prefix { $0 != " " })
    let uri = String(requestLine.drop { $0 != " " }.dropFirst())
    var fields: [HeaderField] = []
    while let line = lines.next() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " })))
    }
    var memo: ProxyGate.OpenedToken?
    _ = FuzzGate.gate.decide(method: method, uri: uri, fields: fields, now: 1_800_000_000, memo: &memo)
    _ = FuzzGate.gate.decide(method: method, uri: uri, fields: fields, now: 1_800_000_000, memo: &memo)
    return 0
}

enum FuzzGate {
    static let gate: ProxyGate = {
        let environment = [
            "ENCRYPTION_KEY": String(repeating: "ab", count: 32), "APP_DOMAIN_SUFFIX": "com",
            "FIREFLY_PROXY_APP_ORIGIN": "https://apps.example.com", "FIREFLY_PROXY_FRAME_ANCESTORS": "https://firefly.example.com",
            "FIREFLY_PROXY_CORS_ORIGINS": "https://firefly.example.com", "FIREFLY_PROXY_DATABASE_URL": "dbname=firefly",
            "FIREFLY_PROXY_LEGACY_TOKENS": "true", "FIREFLY_PROXY_LEGACY_PROVIDERS": "aws", "FIREFLY_PROXY_LEGACY_DOMAINS": "databricksapps",
            "FIREFLY_PROXY_LEGACY_APPS": "app*",
        ]
        guard let configuration = try? ProxyConfiguration(fileValues: [:], environment: environment), let gate = try? ProxyGate(configuration: configuration) else {
            fatalError("the fuzz configuration is valid")
        }
        return gate
    }()
}
