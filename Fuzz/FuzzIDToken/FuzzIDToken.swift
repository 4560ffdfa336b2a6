import FireflyIdentity

/// libFuzzer entry: an ID token's header as it is read before any signature check (algorithm and
/// key id choose the key), and its parts as base64url.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDToken(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? IDTokenVerifier.header(of: text)
    return 0
}
