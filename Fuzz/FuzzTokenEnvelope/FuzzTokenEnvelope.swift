import FireflyCrypto
import ProxyCore

/// libFuzzer entry: an app-proxy path (route parsing) and the token in it, opened with a fixed key
/// ring, as the proxy does with every first use of an embed URL.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenEnvelope(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let domains: Set<String> = ["databricksapps"]
    if let route = try? AppProxyRoute.parse(rawPath: text, allowedDomains: domains) {
        _ = try? FuzzKeys.envelope.open(route, now: 1_800_000_000)
        _ = try? FuzzKeys.envelope.open(route, now: 1_800_000_000, legacy: LegacyTokenPolicy(enabled: true, providers: ["aws"], domains: domains, appPatterns: ["*"]))
    }
    // The token alone, as it also arrives in the app cookie.
    _ = TokenEnvelope.decode(text)
    _ = try? AppProxyRoute.parse(rawPath: "/app-proxy/" + text + "/aws/databricksapps/app/", allowedDomains: domains)
    return 0
}

enum FuzzKeys {
    static let envelope: TokenEnvelope = {
        guard let envelope = try? TokenEnvelope(keyHex: String(repeating: "ab", count: 32) + "\n" + String(repeating: "cd", count: 32)) else {
            fatalError("the fuzz key ring is valid")
        }
        return envelope
    }()
}
