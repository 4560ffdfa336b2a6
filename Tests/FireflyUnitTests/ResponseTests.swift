import FireflyCore
import Foundation
import Testing

@Suite("Responses and errors")
struct ResponseTests {
    @Test("the CGI head carries status, fields and length")
    func head() {
        let response = Response(status: 404, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        #expect(String(decoding: response.cgiHead(), as: UTF8.self) == "Status: 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n")
    }

    @Test("a header value with CR or LF is dropped, never split into two fields")
    func headerInjection() {
        let response = Response(status: 200, headers: [("X-Evil", "a\r\nSet-Cookie: x=1"), ("Bad:Name", "v"), ("X-Good", "ok")])
        let head = String(decoding: response.cgiHead(), as: UTF8.self)
        #expect(!head.contains("Set-Cookie"))
        #expect(!head.contains("Bad:Name"))
        #expect(head.contains("X-Good: ok\r\n"))
    }

    @Test("every error is the one envelope, with the request id")
    func envelope() throws {
        let response = Response.error(.methodNotAllowed(allowed: ["GET", "HEAD"]), requestID: "abc123")
        #expect(response.status == 405)
        #expect(response.headers.contains { $0.0 == "Allow" && $0.1 == "GET, HEAD" })
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: [String: String]]
        let error = try #require(object?["error"])
        #expect(error["code"] == "method_not_allowed")
        #expect(error["request_id"] == "abc123")
        #expect(error["message"]?.isEmpty == false)
        #expect(Set(error.keys) == ["code", "message", "request_id"])
    }
}
