import FireflyCore
import Testing

@Suite("Routing and request decoding")
struct RoutingTests {
    private var router: Router<String> {
        var router = Router<String>()
        router.add("GET", "/healthz", "health")
        router.add("GET", "/api/catalogs", "catalogs")
        router.add("GET", "/api/catalogs/{catalog}/schemas", "schemas")
        router.add("GET", "/api/catalogs/main/schemas", "main-literal")
        router.add("POST", "/api/sql/statements", "execute")
        router.add("GET", "/api/sql/statements/{id}", "get-statement")
        return router
    }

    private func handler(_ outcome: Router<String>.Outcome) -> String? {
        if case .matched(let match) = outcome { return match.handler }
        return nil
    }

    @Test("literal and captured segments")
    func matching() throws {
        #expect(handler(router.route(method: "GET", segments: ["healthz"])) == "health")
        guard case .matched(let match) = router.route(method: "GET", segments: ["api", "catalogs", "sales", "schemas"]) else {
            Issue.record("no match")
            return
        }
        #expect(match.handler == "schemas")
        #expect(match.parameters == ["catalog": "sales"])
        #expect(match.pattern == "/api/catalogs/{catalog}/schemas")
    }

    @Test("a literal route wins over a capture")
    func literalWins() {
        #expect(handler(router.route(method: "GET", segments: ["api", "catalogs", "main", "schemas"])) == "main-literal")
    }

    @Test("a route of its own for HEAD beats GET's; between equally literal routes the first added wins")
    func ties() {
        var router = self.router
        router.add("HEAD", "/api/catalogs", "catalogs-head")
        router.add("GET", "/api/{section}/main", "section-main")
        router.add("GET", "/api/catalogs/{catalog}", "catalog")
        #expect(handler(router.route(method: "HEAD", segments: ["api", "catalogs"])) == "catalogs-head")
        #expect(handler(router.route(method: "GET", segments: ["api", "catalogs"])) == "catalogs")
        #expect(handler(router.route(method: "GET", segments: ["api", "catalogs", "main"])) == "section-main")
        guard case .matched(let match) = router.route(method: "GET", segments: ["api", "catalogs", "sales"]) else {
            Issue.record("no match"); return
        }
        #expect(match.parameters == ["catalog": "sales"])
        #expect(handler(router.route(method: "GET", segments: ["api", "other", "sales"])) == nil)
    }

    @Test("HEAD is served by GET")
    func head() {
        #expect(handler(router.route(method: "HEAD", segments: ["healthz"])) == "health")
    }

    @Test("wrong method: 405 with the allowed methods")
    func methodNotAllowed() {
        guard case .methodNotAllowed(let allowed) = router.route(method: "DELETE", segments: ["api", "sql", "statements"]) else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["POST"])
        guard case .methodNotAllowed(let getAllowed) = router.route(method: "POST", segments: ["healthz"]) else {
            Issue.record("expected 405")
            return
        }
        #expect(getAllowed == ["GET", "HEAD"])
    }

    @Test("unknown paths, extra and missing segments: 404", arguments: [
        ["nope"], ["healthz", "extra"], ["api"], ["api", "catalogs", "", "schemas"], [],
    ])
    func notFound(segments: [String]) {
        guard case .notFound = router.route(method: "GET", segments: segments) else {
            Issue.record("expected 404 for \(segments)")
            return
        }
    }

    @Test("an encoded slash stays inside its segment")
    func encodedSlash() throws {
        let segments = try #require(PercentDecoding.pathSegments("/api/catalogs/a%2Fb/schemas"))
        #expect(segments == ["api", "catalogs", "a/b", "schemas"])
        guard case .matched(let match) = router.route(method: "GET", segments: segments) else {
            Issue.record("no match")
            return
        }
        #expect(match.parameters["catalog"] == "a/b")
    }

    @Test("paths that must be refused", arguments: [
        "/healthz/%ff", "/a%00b", "/a%0d%0aSet-Cookie:x", "/bad%zz", "/trunc%2", "relative", "/%e2%82",
    ])
    func badPaths(path: String) {
        #expect(PercentDecoding.pathSegments(path) == nil)
    }

    @Test("unicode, spaces and dots decode")
    func unicode() {
        #expect(PercentDecoding.pathSegments("/api/tables/caf%C3%A9.my%20schema.t") == ["api", "tables", "café.my schema.t"])
        #expect(PercentDecoding.pathSegments("/") == [])
    }

    @Test("query strings")
    func query() throws {
        let pairs = try #require(PercentDecoding.query("a=1&b=x%20y+z&flag&&c="))
        #expect(pairs.map(\.name) == ["a", "b", "flag", "c"])
        #expect(pairs.map(\.value) == ["1", "x y z", "", ""])
        #expect(PercentDecoding.query("a=%ff") == nil)
        #expect(PercentDecoding.query("a=%") == nil)
    }
}
