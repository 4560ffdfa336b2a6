import FireflyCore
import FireflyIdentity

/// libFuzzer entry: what every request's path, query and cookies go through — percent decoding of
/// the path and the query, the session and login-binding cookies, and `return_to` after sign-in.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCookiesAndPaths(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = PercentDecoding.pathSegments(text)
    _ = PercentDecoding.query(text)
    _ = Identity.cookieValue(text)
    _ = Identity.loginBinding(text)
    // A sanitized target is always a path on FireFly's own origin: "/" then anything but a second
    // slash or a backslash (compared as scalars: "/" with a combining mark is still "/").
    let target = Array(ReturnTo.sanitize(text).unicodeScalars)
    guard target.first == "/", target.count < 2 || (target[1] != "/" && target[1] != "\\") else {
        fatalError("return_to escaped the origin: \(String(String.UnicodeScalarView(target)))")
    }
    return 0
}
