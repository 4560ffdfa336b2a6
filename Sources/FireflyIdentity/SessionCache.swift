import CoreMetrics
import FireflyMetrics
import FireflyCrypto
import FireflyPostgres
import FoundationEssentials
import Logging
import FireflyCore

/// Per-process cache of validated sessions, trusted only while a listener connection receives
/// the database's session-deletion notifications (`firefly_sessions`, sent by a trigger on every
/// DELETE, whoever runs it): a logout or an admin revocation evicts the entry on every worker of
/// every host within milliseconds. While the listener is down nothing is cached, so a revoked
/// session can never be served from memory; a load that raced with a deletion never stores what it
/// read (``NotifiedCache``'s tickets), and no entry lives longer than a minute.
public final class SessionCache: Sendable {
    private let cache = NotifiedCache<[UInt8], SessionInfo>(lifetime: 60, capacity: 100_000)
    public static let channel = "firefly_sessions"

    public init() {}

    /// A cached session, when the listener is live and the entry is fresh.
    func lookup(_ hash: [UInt8], now: Double) -> SessionInfo? {
        let session = cache.lookup(hash, now: now)
        (session == nil ? Self.misses : Self.hits).increment()
        return session
    }

    private static let hits = Counter(label: MetricCatalogue.cacheLookups.name, dimensions: [("cache", "sessions"), ("result", "hit")])
    private static let misses = Counter(label: MetricCatalogue.cacheLookups.name, dimensions: [("cache", "sessions"), ("result", "miss")])

    /// Take before reading a session from PostgreSQL.
    func ticket() -> NotifiedCache<[UInt8], SessionInfo>.Ticket { cache.ticket() }

    /// Stores what a read begun at `ticket` found, unless a deletion arrived meanwhile.
    func store(_ info: SessionInfo, ticket: NotifiedCache<[UInt8], SessionInfo>.Ticket, now: Double) {
        cache.store(info.idHash, info, ticket: ticket, now: now)
    }

    func evict(_ hash: [UInt8]) { cache.invalidate(hash) }

    /// The notification listener's state: caching only while it listens.
    public func setListening(_ listening: Bool) { cache.setListening(listening) }

    /// The listener's connection answered: the cache stays trusted a little longer.
    public func confirmAlive() { cache.confirmAlive() }

    /// A `firefly_sessions` notification: the hex SHA-256 of a deleted session.
    public func notified(_ payload: String) {
        if let hash = Hex.decode(payload), !hash.isEmpty { evict(hash) } else { setListening(true) }
    }
}
