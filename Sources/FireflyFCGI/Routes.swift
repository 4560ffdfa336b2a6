import FireflyCore

/// FireFly's route table.
enum Routes {
    static func make(configuration: FireflyConfiguration) -> Router<Handler> {
        var router = Router<Handler>()
        router.add("GET", "/healthz", HealthHandlers.healthz)
        router.add("GET", "/readyz", HealthHandlers.readyz)
        router.add("GET", "/pool-status", PoolStatusHandler.handler)
        if configuration.testRoutesEnabled {
            router.add("GET", "/api/_test/sleep", TestHandlers.sleep)
            router.add("POST", "/api/_test/echo", TestHandlers.echo)
        }
        return router
    }
}
