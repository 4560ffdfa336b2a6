import FireflyJSON

/// libFuzzer entry: JSON as request bodies (statements, embeds) and provider answers are parsed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONBodies(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let object = JSONValue.object(bytes) {
        for (_, value) in object {
            _ = value.string
            _ = value.strings
        }
    }
    return 0
}
