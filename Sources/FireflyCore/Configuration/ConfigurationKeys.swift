import FireflySettings

/// Every key FireFly's pool reads, with its default (nil = required) and a one-line meaning.
/// The same names work in the configuration file and as environment variables (which win).
public enum ConfigurationKeys {
    /// One documented key.
    public typealias Key = SettingKey

    /// All keys, in the order the README documents them.
    public static let all: [Key] = [
        Key(name: "FIREFLY_LISTEN_SOCKET", defaultValue: "/run/firefly/fcgi.sock", meaning: "Unix socket the pool listens on (ignored under systemd socket activation)."),
        Key(name: "FIREFLY_LISTEN_SOCKET_MODE", defaultValue: "0660", meaning: "File mode of that socket."),
        Key(name: "FIREFLY_LISTEN_BACKLOG", defaultValue: "1024", meaning: "Listen backlog."),
        Key(name: "FIREFLY_RUNTIME_DIRECTORY", defaultValue: "/run/firefly", meaning: "Folder for the pool status document."),
        Key(name: "FIREFLY_POOL_WORKERS", defaultValue: "4", meaning: "Worker processes."),
        Key(name: "FIREFLY_POOL_THREADS", defaultValue: "24", meaning: "Accepting threads per worker; keep workers × threads above nginx's kept connections."),
        Key(name: "FIREFLY_POOL_MAX_REQUESTS", defaultValue: "100000", meaning: "Requests after which a worker is recycled (0 = never)."),
        Key(name: "FIREFLY_POOL_KEEPALIVE_IDLE_TIMEOUT", defaultValue: "20s", meaning: "A kept nginx connection idle this long is closed, freeing its thread (keep above nginx's keepalive_timeout)."),
        Key(name: "FIREFLY_POOL_DRAIN_TIMEOUT", defaultValue: "30s", meaning: "How long stopping workers may finish in-flight requests."),
        Key(name: "FIREFLY_POOL_START_TIMEOUT", defaultValue: "10s", meaning: "How long new workers may take to become ready during a reload."),
        Key(name: "FIREFLY_REQUEST_SLOW_THRESHOLD", defaultValue: "2s", meaning: "Requests slower than this are logged as slow."),
        Key(name: "FIREFLY_REQUEST_TIMEOUT", defaultValue: "60s", meaning: "Limit of a request's waits: each database statement (statement_timeout) and handlers that check it (504); work that completed is answered, however long it took."),
        Key(name: "FIREFLY_REQUEST_MAX_HEADER_BYTES", defaultValue: "16k", meaning: "Largest total size of request header fields (431 above)."),
        Key(name: "FIREFLY_REQUEST_MAX_BODY_BYTES", defaultValue: "10m", meaning: "Largest request body (413 above)."),
        Key(name: "FIREFLY_DATABASE_URL", defaultValue: nil, meaning: "libpq connection string or URI, without a password."),
        Key(name: "FIREFLY_DATABASE_PASSWORD_FILE", defaultValue: "", meaning: "File holding the database password (default: systemd credential database-password, if any)."),
        Key(name: "FIREFLY_PUBLIC_URL", defaultValue: "", meaning: "FireFly's public origin, e.g. https://firefly.example.com (login redirects and the CSRF origin check); required with OIDC providers."),
        Key(name: "FIREFLY_OIDC_PROVIDERS", defaultValue: "", meaning: "Comma-separated provider names; each has FIREFLY_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET_FILE, and optionally _SCOPES, _GROUPS_CLAIM, _DISPLAY_NAME."),
        Key(name: "FIREFLY_OIDC_ALLOW_HTTP_LOOPBACK", defaultValue: "false", meaning: "Allow plain-http issuers on 127.0.0.1/localhost (tests and the local demo only)."),
        Key(name: "FIREFLY_OIDC_REFRESH_INTERVAL", defaultValue: "15m", meaning: "How often a session's refresh token is re-checked at the provider; a refusal ends the session (0 = never)."),
        Key(name: "FIREFLY_SESSION_IDLE_TIMEOUT", defaultValue: "30m", meaning: "A session unused this long ends."),
        Key(name: "FIREFLY_SESSION_LIFETIME", defaultValue: "12h", meaning: "A session ends this long after login, however active."),
        Key(name: "FIREFLY_VAULT_KEY_FILE", defaultValue: "", meaning: "File with the vault key, 64 hex characters (default: the systemd credential vault-key); encrypts refresh tokens."),
        Key(name: "FIREFLY_DATABRICKS_TIMEOUT", defaultValue: "30s", meaning: "Time limit of one call to Databricks (and of a token exchange)."),
        Key(name: "FIREFLY_DATABRICKS_RETRY_BUDGET", defaultValue: "20s", meaning: "How long 429/503 answers are retried (Retry-After, jittered backoff) before the caller gets 503."),
        Key(name: "FIREFLY_DATABRICKS_CA_FILE", defaultValue: "", meaning: "Extra CA bundle (PEM) for Databricks connections; the system store is always used."),
        Key(name: "FIREFLY_SQL_WAIT_TIMEOUT", defaultValue: "10s", meaning: "How long POST /api/sql/statements waits for a result before returning the statement id (0s or 5s-50s)."),
        Key(name: "FIREFLY_CACHE_TTL", defaultValue: "60s", meaning: "Lifetime of cached catalog metadata per organization (0 = no cache)."),
        Key(name: "FIREFLY_APP_PROXY_KEY_FILE", defaultValue: "", meaning: "File with the app-proxy ENCRYPTION_KEY (64 hex characters; default: the systemd credential app-proxy-key); enables embedding apps."),
        Key(name: "FIREFLY_APP_PROXY_BASE_URL", defaultValue: "", meaning: "Parent of the app origins, e.g. https://apps.firefly.example.com: each (organization, app) is embedded from https://{app}--{org}.apps.firefly.example.com; never FireFly's own origin."),
        Key(name: "FIREFLY_APP_PROXY_TOKEN_LIFETIME", defaultValue: "5m", meaning: "How long a minted embed URL may be used (once); the proxy then keeps the token in the app origin's cookie while the session lives and the SPN token is valid."),
        Key(name: "FIREFLY_APP_DOMAINS", defaultValue: "databricksapps", meaning: "Comma-separated app domains that embed URLs may name."),
        Key(name: "FIREFLY_UPLOAD_SMALL_LIMIT", defaultValue: "10m", meaning: "Largest file PUT /api/files streams in one request (keep at most nginx's client_max_body_size for /api/)."),
        Key(name: "FIREFLY_UPLOAD_DIRECTORY", defaultValue: "/var/lib/firefly/uploads", meaning: "Where resumable uploads are staged before they are forwarded."),
        Key(name: "FIREFLY_UPLOAD_MAX_SIZE", defaultValue: "5g", meaning: "Largest resumable upload (the Files API takes at most 5 GiB per PUT)."),
        Key(name: "FIREFLY_UPLOAD_USER_QUOTA", defaultValue: "20g", meaning: "Bytes one user's unfinished and failed uploads may reserve at once (an upload reserves its whole declared length when it is created)."),
        Key(name: "FIREFLY_UPLOAD_FOLLOW_IDLE_TIMEOUT", defaultValue: "30s", meaning: "Large uploads to Volumes are forwarded to Databricks while their chunks arrive; when the client sends nothing for this long the early transfer stops and the upload is forwarded after its last chunk instead. 0 forwards only completed uploads."),
        Key(name: "FIREFLY_UPLOAD_EXPIRY", defaultValue: "24h", meaning: "Uploads with no progress for this long (unfinished or failed) are removed and their quota released."),
        Key(name: "FIREFLY_DBFS_ALLOWED_PREFIXES", defaultValue: "dbfs:/FileStore/firefly/{org}/", meaning: "Comma-separated DBFS folders uploads may write to ({org} = the organization's slug; DBFS is shared by every organization of a workspace); empty = no DBFS writes."),
        Key(name: "FIREFLY_LIMIT_USER_REQUESTS", defaultValue: "8", meaning: "API requests one user may have in flight in one worker process (429 with Retry-After past it)."),
        Key(name: "FIREFLY_LIMIT_ORGANIZATION_REQUESTS", defaultValue: "16", meaning: "API requests one organization may have in flight in one worker process; keep it below FIREFLY_POOL_THREADS so other organizations always find a thread."),
        Key(name: "FIREFLY_AUDIT_RETENTION", defaultValue: "365d", meaning: "How long audit rows (Databricks calls, sign-ins, admin actions) are kept; firefly-admin sweep (daily, firefly-sweep.timer) deletes older ones and ended sessions. 0 keeps audit rows forever."),
        Key(name: "FIREFLY_LOG_LEVEL", defaultValue: "info", meaning: "trace, debug, info, notice, warning, error or critical."),
        Key(name: "FIREFLY_TEST_ROUTES", defaultValue: "false", meaning: "Enables /api/_test/* routes used by the test suite. Never in production."),
    ]

    /// Key names, for quick membership checks.
    public static let names: Set<String> = Set(all.map(\.name))
}
