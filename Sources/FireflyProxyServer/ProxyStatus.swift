/// The proxy's status document (`GET /status` on the status listener).
struct ProxyStatus: Codable, Sendable {
    let version: String
    let pid: Int
    /// `running` or `draining`.
    let state: String
    let uptime_seconds: Double
    /// 1 at start, one more per successful reload.
    let configuration_generation: Int
    /// `none`, `ok` or `failed` (the previous settings stayed).
    let last_reload: String
    let threads: Int
    let open_connections: Int
    let open_http_connections: Int
    let open_websockets: Int
}
