/// Every metric family FireFly exposes, with its type and help text: the one place their names are
/// written, so the pool, the proxy and the documentation agree.
public enum MetricCatalogue {
    /// One family.
    public struct Family: Sendable {
        public let name: String
        public let kind: MetricKind
        public let help: String
    }

    // The pool's workers.
    public static let httpRequests = Family(name: "firefly_http_requests_total", kind: .counter,
                                            help: "Requests answered by the pool, by route pattern, method and status.")
    public static let httpDuration = Family(name: "firefly_http_request_duration_seconds", kind: .histogram,
                                            help: "Time from a request's parameters to its last byte written, by route pattern.")
    public static let databricksCalls = Family(name: "firefly_databricks_requests_total", kind: .counter,
                                               help: "Requests to Databricks workspaces (each attempt), by endpoint pattern, method and outcome (status class, 429, or network_error).")
    public static let databricksDuration = Family(name: "firefly_databricks_request_duration_seconds", kind: .histogram,
                                                  help: "Time of one request to a Databricks workspace, by endpoint pattern.")
    public static let databricksRetries = Family(name: "firefly_databricks_retries_total", kind: .counter,
                                                 help: "Repeated attempts of Databricks calls (429, 503, connection failures), by endpoint pattern.")
    public static let tokenExchanges = Family(name: "firefly_token_exchanges_total", kind: .counter,
                                              help: "Service principal token exchanges with a workspace, by outcome.")
    public static let cacheLookups = Family(name: "firefly_cache_lookups_total", kind: .counter,
                                            help: "Lookups in the workers' caches (metadata, sessions), by cache and result.")
    public static let uploadBytes = Family(name: "firefly_upload_bytes_total", kind: .counter,
                                           help: "Upload bytes received from browsers into staging.")
    public static let uploadStates = Family(name: "firefly_upload_transitions_total", kind: .counter,
                                            help: "Uploads entering a state (created, complete, forwarded, failed).")

    // The pool's master.
    public static let poolWorkers = Family(name: "firefly_pool_workers", kind: .gauge,
                                           help: "Worker processes running, by state.")
    public static let poolThreads = Family(name: "firefly_pool_threads", kind: .gauge,
                                           help: "Worker threads, by state (busy handling a request, or idle).")
    public static let poolRestarts = Family(name: "firefly_pool_worker_restarts_total", kind: .counter,
                                            help: "Workers started in place of others, by reason (crash, recycle, reload).")
    public static let poolAccepted = Family(name: "firefly_pool_accepted_requests_total", kind: .counter,
                                            help: "Requests accepted by the pool's workers since the master started.")
    public static let poolUptime = Family(name: "firefly_pool_uptime_seconds", kind: .gauge,
                                          help: "Seconds since the pool's master started.")

    // The app proxy.
    public static let proxyExchanges = Family(name: "firefly_proxy_exchanges_total", kind: .counter,
                                              help: "Requests to the app proxy, by outcome (ok, failed, client_closed, websocket, answered).")
    public static let proxyDuration = Family(name: "firefly_proxy_exchange_duration_seconds", kind: .histogram,
                                             help: "Time of a forwarded exchange, from its request head to its response's end.")
    public static let proxyBytes = Family(name: "firefly_proxy_bytes_total", kind: .counter,
                                          help: "Bytes relayed by the app proxy, by direction (to_app, to_client), HTTP bodies and WebSocket streams.")
    public static let proxyWebSockets = Family(name: "firefly_proxy_open_websockets", kind: .gauge,
                                               help: "WebSockets spliced between browsers and apps right now.")
    public static let proxyConnections = Family(name: "firefly_proxy_open_connections", kind: .gauge,
                                                help: "Connections from nginx open right now.")
    public static let proxyReloads = Family(name: "firefly_proxy_reloads_total", kind: .counter,
                                            help: "Configuration reloads (SIGHUP), by outcome.")

    public static let all: [Family] = [
        httpRequests, httpDuration, databricksCalls, databricksDuration, databricksRetries, tokenExchanges, cacheLookups,
        uploadBytes, uploadStates, poolWorkers, poolThreads, poolRestarts, poolAccepted, poolUptime,
        proxyExchanges, proxyDuration, proxyBytes, proxyWebSockets, proxyConnections, proxyReloads,
    ]

    /// The family called `name`, if FireFly declares it.
    public static func family(named name: String) -> Family? { byName[name] }

    private static let byName: [String: Family] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
}
