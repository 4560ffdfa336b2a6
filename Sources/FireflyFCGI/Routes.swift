import FireflyCore
import FireflyGateway
import FireflyIdentity
import ProxyCore

/// FireFly's route table.
enum Routes {
    static func make(configuration: FireflyConfiguration, identity: Identity, gateway: Gateway?, envelope: TokenEnvelope?,
                     followers: UploadFollowers? = nil) -> Router<Handler> {
        var router = Router<Handler>()
        router.add("GET", "/healthz", HealthHandlers.healthz)
        router.add("GET", "/readyz", HealthHandlers.readyz)
        router.add("GET", "/pool-status", PoolStatusHandler.handler)
        router.add("GET", "/metrics", MetricsHandler.handler)
        router.add("GET", "/auth/login", AuthHandlers.login(identity))
        router.add("GET", "/auth/callback", AuthHandlers.callback(identity))
        router.add("POST", "/auth/logout", AuthHandlers.logout(identity))
        // nginx's page gate (auth_request) passes the page request's own method along.
        for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            router.add(method, "/auth/check", AuthHandlers.check(identity))
            router.add(method, "/auth/page-login", AuthHandlers.pageLogin)
        }
        router.add("GET", "/api/me", AuthHandlers.me(identity))
        if identity.isEnabled, let gateway {
            GatewayHandlers.register(in: &router, gateway: gateway)
            UploadHandlers.register(in: &router, gateway: gateway)
            FileHandlers.register(in: &router, gateway: gateway)
            ResumableUploadHandlers.register(in: &router, gateway: gateway, followers: followers)
            if let envelope, !configuration.appProxy.baseURL.isEmpty {
                AppHandlers.register(in: &router, gateway: gateway, envelope: envelope, settings: configuration.appProxy)
            }
        }
        if configuration.testRoutesEnabled {
            router.add("GET", "/api/_test/sleep", TestHandlers.sleep)
            router.add("POST", "/api/_test/echo", TestHandlers.echo)
        }
        return router
    }
}
