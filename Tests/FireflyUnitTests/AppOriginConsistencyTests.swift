import ProxyCore
import Testing

@Suite("The app origin agrees between the pool, the proxy and nginx")
struct AppOriginConsistencyTests {
    static let site = """
        map $sent_http_content_security_policy $firefly_csp {
            default "default-src 'self'; frame-src https://*.apps.example.com; frame-ancestors 'none'";
        }
        server { listen 443 ssl; server_name .apps.example.com; }
        """
    static let proxy = ["FIREFLY_PROXY_APP_ORIGIN": "https://apps.example.com", "FIREFLY_PROXY_FRAME_ANCESTORS": "https://firefly.example.com"]

    @Test("everything agrees: no problem; nothing to compare: no problem")
    func agree() {
        #expect(AppOriginConsistency.problems(appProxyBaseURL: "https://apps.example.com/", publicOrigin: "https://firefly.example.com",
                                              proxyFile: Self.proxy, nginxSite: Self.site).isEmpty)
        #expect(AppOriginConsistency.problems(appProxyBaseURL: "https://apps.example.com", publicOrigin: "https://firefly.example.com",
                                              proxyFile: nil, nginxSite: nil).isEmpty)
        #expect(AppOriginConsistency.problems(appProxyBaseURL: "", publicOrigin: "https://firefly.example.com",
                                              proxyFile: [:], nginxSite: "").isEmpty)
    }

    @Test("each mismatch is named with the keys to fix")
    func mismatches() {
        let problems = AppOriginConsistency.problems(appProxyBaseURL: "https://apps.other.com", publicOrigin: "https://ff.example.com",
                                                     proxyFile: Self.proxy, nginxSite: Self.site)
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.contains { $0.contains("FIREFLY_PROXY_APP_ORIGIN is https://apps.example.com") })
        #expect(problems.contains { $0.contains("FIREFLY_PROXY_FRAME_ANCESTORS") && $0.contains("https://ff.example.com") })
        #expect(problems.contains { $0.contains("server_name .apps.other.com") })
        #expect(problems.contains { $0.contains("frame-src https://*.apps.other.com") })
    }
}
