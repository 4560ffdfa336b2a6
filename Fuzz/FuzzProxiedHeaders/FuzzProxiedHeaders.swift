import ProxyCore

/// libFuzzer entry: header rewriting both ways (request fields to the app; the app's response
/// fields, `Location` and `Set-Cookie` to the browser). Lines are `name: value` fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxiedHeaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var fields: [HeaderField] = []
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " })))
    }
    let app = FuzzApp.app
    for webSocket in [false, true] {
        _ = ProxiedHeaders.upstreamRequest(fields, app: app, bearerToken: "token", appOrigin: "https://app--acme.apps.example.com",
                                           client: ProxiedHeaders.ClientFacts(address: "127.0.0.1"), webSocket: webSocket)
    }
    _ = ProxiedHeaders.clientResponse(fields, app: app, frameAncestors: ["https://firefly.example.com"], corsOrigin: "https://firefly.example.com",
                                      crossSite: true)
    _ = ProxiedHeaders.rewriteLocation(text, app: app)
    _ = ProxiedHeaders.rewriteSetCookie(text, crossSite: false)
    _ = ProxiedHeaders.rewriteSetCookie(text, crossSite: true)
    _ = AppTokenCookie.values(in: fields)
    _ = CORSPolicy.allowedOrigin(fields, allowed: ["https://firefly.example.com"])
    _ = CORSPolicy.preflight(fields: fields, allowed: ["https://firefly.example.com"])
    return 0
}

enum FuzzApp {
    static let app: ProxiedApp = {
        guard let route = try? AppProxyRoute.parse(rawPath: "/app-proxy/token/aws/databricksapps/app/", allowedDomains: ["databricksapps"]) else {
            fatalError("the fuzz route is valid")
        }
        return ProxiedApp(route: route, suffix: "com")
    }()
}
