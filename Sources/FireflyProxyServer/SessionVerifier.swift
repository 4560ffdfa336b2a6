import FireflyPostgres
import FireflySettings
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProxyCore

/// PostgreSQL's word on the FireFly sessions app tokens are bound to, and on embed URLs' first
/// uses. libpq blocks, so every query runs on a thread pool of its own, one connection per thread
/// at most; a session found alive is trusted for the check interval (``SessionCheckCache``).
public final class SessionVerifier: SessionChecking {
    public typealias Verdict = SessionVerdict

    private let pool: NIOThreadPool
    private let settings: DatabaseSettings
    private let idleConnections = NIOLockedValueBox<[Connection]>([])
    private let checks: NIOLockedValueBox<SessionCheckCache>
    private let redemptionCount = NIOLockedValueBox(0)

    /// One libpq connection, used by one pool thread at a time.
    private final class Connection: @unchecked Sendable {
        let postgres: PostgresConnection
        init(_ postgres: PostgresConnection) { self.postgres = postgres }
    }

    public init(settings: DatabaseSettings, connections: Int, checkIntervalSeconds: Double) {
        self.settings = settings
        pool = NIOThreadPool(numberOfThreads: connections)
        pool.start()
        checks = NIOLockedValueBox(SessionCheckCache(interval: checkIntervalSeconds))
    }

    /// True when `session` was found alive within the check interval.
    public func isFresh(_ session: SessionBinding, now: Double) -> Bool {
        checks.withLockedValue { $0.isFresh(session, now: now) }
    }

    /// Asks whether `session` lives (and notes that the app was used, which keeps it from idling).
    public func verify(_ session: SessionBinding, on loop: any EventLoop) -> EventLoopFuture<Verdict> {
        run(on: loop) { connection in try self.check(session, connection) }
    }

    /// Records the first use of an embed URL, if its session lives; `.replayed` for a second use.
    public func redeem(_ redemption: ProxyGate.Redemption, on loop: any EventLoop) -> EventLoopFuture<Verdict> {
        run(on: loop) { connection in
            let verdict = try self.check(redemption.session, connection)
            guard case .alive = verdict else { return verdict }
            let sweep = self.redemptionCount.withLockedValue { count in
                count += 1
                return count % 64 == 0
            }
            if sweep { try connection.query("DELETE FROM app_embed_redemptions WHERE expires_at < now()") }
            let recorded = try connection.query("""
                INSERT INTO app_embed_redemptions (nonce, expires_at)
                VALUES (\(bytes: redemption.nonce), to_timestamp(\(Int64(redemption.urlUsableUntil) + 60)))
                ON CONFLICT DO NOTHING
                """)
            return recorded.affectedRows == 1 ? verdict : .replayed
        }
    }

    public func shutdown() {
        try? pool.syncShutdownGracefully()
    }

    private func check(_ session: SessionBinding, _ connection: PostgresConnection) throws -> Verdict {
        let found = try connection.query("""
            SELECT extract(epoch FROM expires_at)::float8 AS expires, last_seen_at < now() - interval '1 minute' AS stale
            FROM sessions
            WHERE id_hash = \(bytes: session.sessionHash) AND expires_at > now()
              AND last_seen_at > now() - make_interval(secs => idle_timeout_seconds)
            """)
        let now = Date().timeIntervalSince1970
        guard found.rows.count == 1, let expires = found.value("expires").flatMap(Double.init) else {
            checks.withLockedValue { $0.forget(session) }
            return .gone
        }
        if found.value("stale") == "t" {
            try connection.query("UPDATE sessions SET last_seen_at = now() WHERE id_hash = \(bytes: session.sessionHash)")
        }
        checks.withLockedValue { $0.recordAlive(session, now: now, sessionExpiresAt: expires) }
        return .alive(expiresAt: expires)
    }

    /// Runs `body` on the pool with an idle connection (a new one when none is idle); a connection
    /// that broke is dropped, so the next query reconnects.
    private func run(on loop: any EventLoop, _ body: @escaping @Sendable (PostgresConnection) throws -> Verdict) -> EventLoopFuture<Verdict> {
        pool.runIfActive(eventLoop: loop) {
            let connection = try self.idleConnections.withLockedValue { $0.popLast() }
                ?? Connection(try PostgresConnection(connectionString: self.settings.url, password: try self.settings.readPassword(),
                                                     applicationName: "firefly-proxy", statementTimeoutMilliseconds: 5_000,
                                                     lockTimeoutMilliseconds: 2_000))
            defer { if connection.postgres.isUsable { self.idleConnections.withLockedValue { $0.append(connection) } } }
            return try body(connection.postgres)
        }
    }
}
