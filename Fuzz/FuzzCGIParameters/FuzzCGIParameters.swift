import FireflyFastCGI

/// libFuzzer entry: FastCGI parameters as nginx sends them (NUL-separated `NAME=VALUE` entries
/// here), read the way the dispatcher reads them: method, URI, lengths, header fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCGIParameters(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parameters = CGIParameters(rawEntries: bytes.split(separator: 0, omittingEmptySubsequences: false).map(Array.init))
    for name in ["REQUEST_METHOD", "REQUEST_URI", "CONTENT_LENGTH", "REMOTE_ADDR", "REQUEST_ID", "HTTP_COOKIE"] {
        _ = parameters.string(name)
        _ = parameters.bytes(name)
    }
    _ = parameters.httpHeaders
    return 0
}
