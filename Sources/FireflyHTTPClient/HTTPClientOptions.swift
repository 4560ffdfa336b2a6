import CCurl

/// Settings for an `HTTPClient`.
public struct HTTPClientOptions: Sendable {
    /// Extra CA bundle (PEM) to trust, e.g. a self-signed local certificate; nil uses the system store.
    public var caFile: String?
    /// Whole-transfer time limit in milliseconds (0: none; then give a low-speed limit).
    public var timeoutMilliseconds: Int
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is abandoned: a time
    /// limit that follows progress, for transfers whose length has no bound (large uploads).
    public var lowSpeedBytesPerSecond: Int = 0
    public var lowSpeedSeconds: Int = 0
    /// Connect time limit in milliseconds.
    public var connectTimeoutMilliseconds: Int
    /// `host:port:address` entries that pin names to addresses (curl's `--resolve`).
    public var resolve: [String]
    /// Product token sent as `User-Agent`.
    public var userAgent: String
    /// Speak HTTP/1.1 only (otherwise HTTP/2 is negotiated over TLS when the server offers it).
    public var http1Only: Bool

    public init(caFile: String? = nil, timeoutMilliseconds: Int = 30_000, connectTimeoutMilliseconds: Int = 5_000,
                resolve: [String] = [], userAgent: String = "firefly/0.1", http1Only: Bool = false) {
        self.http1Only = http1Only
        self.caFile = caFile
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.resolve = resolve
        self.userAgent = userAgent
    }
}
