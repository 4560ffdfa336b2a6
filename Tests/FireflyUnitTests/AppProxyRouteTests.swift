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

    @Test("Azure's app hosts carry a numeric zone before the cloud: one label more, still one host")
    func azureZone() throws {
        let route = try AppProxyRoute.parse(rawPath: "/app-proxy/t/11.azure/databricksapps/sales-1234567890/", allowedDomains: domains)
        #expect(route.provider == "11.azure")
        #expect(route.cloud == "azure")
        #expect(route.host(suffix: "com") == "sales-1234567890.11.azure.databricksapps.com")
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
        "/app-proxy/t/evil.azure/databricksapps/app",
        "/app-proxy/t/1.2.azure/databricksapps/app",
        "/app-proxy/t/1234567.azure/databricksapps/app",
        "/app-proxy/t/.azure/databricksapps/app",
        "/app-proxy/t/azure.1/databricksapps/app",
        "/app-proxy/t/1.onprem/databricksapps/app",
    ])
    func refused(path: String) {
        #expect(throws: AppProxyRoute.Rejection.self) {
            try AppProxyRoute.parse(rawPath: path, allowedDomains: domains)
        }
    }
}
