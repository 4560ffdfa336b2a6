import ProxyCore
import Testing

@Suite("App-proxy route parsing")
struct AppProxyRouteTests {
    private let domains: Set<String> = ["databricksapps"]

    @Test("a valid path names its target")
    func valid() throws {
        let route = try AppProxyRoute.parse(rawPath: "/app-proxy/AbC-_x/aws/databricksapps/my-app-123/lab/tree?x", allowedDomains: domains)
        #expect(route.token == "AbC-_x")
        #expect(route.host(suffix: "com") == "my-app-123.aws.databricksapps.com")
        #expect(route.path == "/lab/tree?x")
        let root = try AppProxyRoute.parse(rawPath: "/app-proxy/t/gcp/databricksapps/app", allowedDomains: domains)
        #expect(root.path == "/")
    }

    @Test("segments that could steer the proxy elsewhere are refused", arguments: [
        "/app-proxy/t/aws/databricksapps/evil.com",
        "/app-proxy/t/aws/databricksapps/evil%2Fcom",
        "/app-proxy/t/aws/databricksapps/user@evil",
        "/app-proxy/t/aws/databricksapps/evil:443",
        "/app-proxy/t/aws/databricksapps/EVIL",
        "/app-proxy/t/aws/databricksapps/-app",
        "/app-proxy/t/aws/databricksapps/caf\u{e9}",
        "/app-proxy/t/aws/evil/app",
        "/app-proxy/t/aws/databricksapps.evil/app",
        "/app-proxy/t/onprem/databricksapps/app",
        "/app-proxy/t/aws/databricksapps/",
        "/app-proxy/t%0d%0a/aws/databricksapps/app",
        "/app-proxy//aws/databricksapps/app",
        "/other/t/aws/databricksapps/app",
    ])
    func refused(path: String) {
        #expect(throws: AppProxyRoute.Rejection.self) {
            try AppProxyRoute.parse(rawPath: path, allowedDomains: domains)
        }
    }
}
