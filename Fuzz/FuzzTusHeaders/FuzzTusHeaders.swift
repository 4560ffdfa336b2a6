import FireflyCore

/// libFuzzer entry: the tus headers a client sends (`Upload-Metadata`, `Upload-Length`,
/// `Upload-Offset`, `Upload-Checksum`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTusHeaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = TusHeaders.metadata(text)
    if let length = TusHeaders.length(text), length < 0 { fatalError("a negative length was accepted: \(text)") }
    if let digest = TusHeaders.sha256Checksum(text), digest.count != 32 { fatalError("a checksum of \(digest.count) bytes was accepted") }
    return 0
}
