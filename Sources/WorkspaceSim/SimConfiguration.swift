import FoundationEssentials

/// The simulator's one configuration file (JSON). Every field but `service_principals` has a
/// default, so a minimal file names the service principals and their grants.
public struct SimConfiguration: Codable, Sendable {
    /// A service principal that may exchange client credentials for tokens.
    public struct ServicePrincipal: Codable, Sendable {
        public var client_id: String
        public var client_secret: String
        /// Securables it may use: a catalog (`samples`) or a schema (`samples.tpch`).
        public var grants: [String]
    }

    /// A Databricks App the workspace lists.
    public struct App: Codable, Sendable {
        public var name: String
        public var url: String?
        public var description: String?
        /// `RUNNING` unless given.
        public var state: String?
        /// Service principals (client ids) with CAN_USE on the app: it is listed to them and its
        /// host accepts their tokens. Absent: every service principal.
        public var permitted_principals: [String]?

        /// Whether `clientID` may see and use the app.
        public func permits(_ clientID: String) -> Bool { permitted_principals?.contains(clientID) ?? true }
    }

    /// Sizes of the generated sample data (deterministic for a given size).
    public struct Dataset: Codable, Sendable {
        /// Rows of `samples.nyctaxi.trips`.
        public var trips_rows: Int = 20_000
        /// Rows of `samples.tpch.orders` (customers = orders / 10, lineitems ≈ orders × 4).
        public var tpch_orders: Int = 15_000
        /// Tables of `samples.wide` (one small table each, `t00001`…): a schema as long as real
        /// metastores have (0 = no such schema).
        public var wide_schema_tables: Int? = nil
        public init() {}
    }

    /// Injected faults for one endpoint key (e.g. `catalogs.list`, `token`, `*` for all).
    public struct Fault: Codable, Sendable {
        /// Added latency in milliseconds.
        public var latency_ms: Int?
        /// Fraction of requests answered 429 with `Retry-After` (deterministic: every 1/rate-th).
        public var rate_429: Double?
        public var rate_500: Double?
        public var rate_503: Double?
        /// The `Retry-After` seconds sent with 429 and 503.
        public var retry_after_seconds: Int?
        /// Request bodies read no faster than this (a slow network to a remote workspace).
        public var bytes_per_second: Int?
    }

    /// `host:port` to listen on (loopback).
    public var listen: String = "127.0.0.1:8900"
    /// Where sample databases, volumes and DBFS files live.
    public var data_directory: String = "/tmp/firefly-workspace-sim"
    public var workspace_id: String = "1234567890123456"
    public var account_id: String = "00000000-0000-4000-8000-000000000001"
    public var cloud: String = "aws"
    /// Lifetime of issued OAuth tokens.
    public var token_lifetime_seconds: Int = 3600
    /// Page size used when a client sends `max_results=0` (Unity Catalog) — small values make
    /// pagination easy to observe.
    public var uc_default_page_size: Int = 50
    /// Largest page Unity Catalog lists return.
    public var uc_max_page_size: Int = 1000
    /// Target size of one INLINE result chunk.
    public var result_chunk_bytes: Int = 1 << 20
    /// Statements running at once; more wait in PENDING.
    public var warehouse_concurrency: Int = 8
    /// Warehouse ids statements may name.
    public var warehouses: [String] = ["sim-warehouse"]
    public var service_principals: [ServicePrincipal]
    /// Volumes (`catalog.schema.volume`) backed by folders under the data directory.
    public var volumes: [String] = ["main.default.uploads"]
    public var apps: [App] = []
    public var dataset: Dataset = Dataset()
    public var faults: [String: Fault] = [:]
    /// When set, `/sim/admin/*` calls must carry `X-Sim-Admin-Token` with this value.
    public var admin_token: String?

    enum CodingKeys: String, CodingKey {
        case listen, data_directory, workspace_id, account_id, cloud, token_lifetime_seconds
        case uc_default_page_size, uc_max_page_size, result_chunk_bytes, warehouse_concurrency, warehouses
        case service_principals, volumes, apps, dataset, faults, admin_token
    }

    public init(servicePrincipals: [ServicePrincipal]) { service_principals = servicePrincipals }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var defaults = SimConfiguration(servicePrincipals: [])
        defaults.service_principals = try c.decode([ServicePrincipal].self, forKey: .service_principals)
        if let v = try c.decodeIfPresent(String.self, forKey: .listen) { defaults.listen = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .data_directory) { defaults.data_directory = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .workspace_id) { defaults.workspace_id = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .account_id) { defaults.account_id = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .cloud) { defaults.cloud = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .token_lifetime_seconds) { defaults.token_lifetime_seconds = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .uc_default_page_size) { defaults.uc_default_page_size = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .uc_max_page_size) { defaults.uc_max_page_size = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .result_chunk_bytes) { defaults.result_chunk_bytes = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .warehouse_concurrency) { defaults.warehouse_concurrency = v }
        if let v = try c.decodeIfPresent([String].self, forKey: .warehouses) { defaults.warehouses = v }
        if let v = try c.decodeIfPresent([String].self, forKey: .volumes) { defaults.volumes = v }
        if let v = try c.decodeIfPresent([App].self, forKey: .apps) { defaults.apps = v }
        if let v = try c.decodeIfPresent(Dataset.self, forKey: .dataset) { defaults.dataset = v }
        if let v = try c.decodeIfPresent([String: Fault].self, forKey: .faults) { defaults.faults = v }
        defaults.admin_token = try c.decodeIfPresent(String.self, forKey: .admin_token)
        self = defaults
    }

    /// Reads and checks the file at `path`; errors name the problem.
    public static func load(path: String) throws -> SimConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimConfigurationError("cannot read \(path)")
        }
        let configuration: SimConfiguration
        do {
            configuration = try JSONDecoder().decode(SimConfiguration.self, from: data)
        } catch {
            throw SimConfigurationError("\(path): \(error)")
        }
        try configuration.validate()
        return configuration
    }

    /// Checks values that decoding cannot.
    public func validate() throws {
        guard listenAddress != nil else { throw SimConfigurationError("listen: expected host:port, got \(listen)") }
        guard token_lifetime_seconds > 0 else { throw SimConfigurationError("token_lifetime_seconds: must be positive") }
        guard uc_default_page_size > 0, uc_max_page_size >= uc_default_page_size else {
            throw SimConfigurationError("uc_default_page_size/uc_max_page_size: need 0 < default <= max")
        }
        guard result_chunk_bytes >= 1024 else { throw SimConfigurationError("result_chunk_bytes: at least 1024") }
        guard warehouse_concurrency > 0 else { throw SimConfigurationError("warehouse_concurrency: must be positive") }
        guard dataset.trips_rows >= 0, dataset.tpch_orders >= 0, dataset.trips_rows <= 5_000_000, dataset.tpch_orders <= 2_000_000 else {
            throw SimConfigurationError("dataset: sizes must be between 0 and a few million rows")
        }
        for volume in volumes where volume.split(separator: ".").count != 3 {
            throw SimConfigurationError("volumes: \(volume) is not catalog.schema.volume")
        }
        for principal in service_principals where principal.client_id.isEmpty || principal.client_secret.isEmpty {
            throw SimConfigurationError("service_principals: client_id and client_secret must not be empty")
        }
    }

    /// `listen` split into host and port.
    public var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(listen[..<colon]), port)
    }
}

