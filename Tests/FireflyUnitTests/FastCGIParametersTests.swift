import FireflyFastCGI
import Testing

@Suite("FastCGI parameters")
struct FastCGIParametersTests {
    private func entries(_ list: [String]) -> [[UInt8]] { list.map { Array($0.utf8) } }

    @Test("HTTP_* parameters become lower-case header names")
    func headers() {
        let parameters = CGIParameters(rawEntries: entries([
            "REQUEST_METHOD=GET", "HTTP_USER_AGENT=curl/8", "HTTP_X_REQUEST_ID=abc", "CONTENT_TYPE=application/json",
            "CONTENT_LENGTH=12", "HTTP_COOKIE=a=b; c=d",
        ]))
        let headers = parameters.httpHeaders
        #expect(headers["user-agent"] == "curl/8")
        #expect(headers["x-request-id"] == "abc")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["content-length"] == "12")
        #expect(headers["cookie"] == "a=b; c=d")  // only the first "=" splits
        #expect(parameters.string("REQUEST_METHOD") == "GET")
        #expect(parameters.malformedEntries == 0)
    }

    @Test("header bytes count only HTTP_* entries")
    func headerBytes() {
        let parameters = CGIParameters(rawEntries: entries(["REQUEST_URI=/x", "HTTP_A=12345", "HTTP_BB=1"]))
        #expect(parameters.headerBytes == "HTTP_A=12345".utf8.count + "HTTP_BB=1".utf8.count)
    }

    @Test("malformed entries are counted, not trusted", arguments: [
        "NOEQUALS", "=value", "BAD NAME=x", "NAME\u{7f}=x",
    ])
    func malformed(entry: String) {
        let parameters = CGIParameters(rawEntries: entries(["REQUEST_METHOD=GET", entry]))
        #expect(parameters.malformedEntries == 1)
        #expect(parameters.string("REQUEST_METHOD") == "GET")
    }

    @Test("values that are not UTF-8 are detected and not returned as strings")
    func invalidUTF8() {
        let raw: [[UInt8]] = [Array("REQUEST_URI=/a".utf8) + [0xff, 0xfe], Array("HTTP_X_BAD=".utf8) + [0xc3]]
        let parameters = CGIParameters(rawEntries: raw)
        #expect(parameters.string("REQUEST_URI") == nil)
        #expect(parameters.isInvalidUTF8("REQUEST_URI"))
        #expect(parameters.httpHeaders["x-bad"] == nil)
    }
}
