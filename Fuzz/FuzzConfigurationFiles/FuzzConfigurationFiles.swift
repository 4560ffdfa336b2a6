import ProxyCore

/// libFuzzer entry: the proxy's configuration file parser (the pool's goes through
/// swift-configuration's own parser) and the app-origin comparison of `--check-config`, which reads
/// the nginx site and proxy.conf as text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigurationFiles(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let values = (try? ProxyConfiguration.parseFile(text, path: "fuzz.conf")) ?? [:]
    _ = try? ProxyConfiguration(fileValues: values, environment: ["ENCRYPTION_KEY": String(repeating: "ab", count: 32)])
    _ = AppOriginConsistency.problems(appProxyBaseURL: values["FIREFLY_PROXY_APP_ORIGIN"] ?? "https://apps.example.com",
                                      publicOrigin: "https://firefly.example.com", proxyFile: values, nginxSite: text)
    return 0
}
