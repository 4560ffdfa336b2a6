import CoreMetrics
import FireflyCore
import FireflyCrypto
import FireflyPostgres
import FoundationEssentials

/// Catalog metadata answers cached per organization (the organization id is part of every key, so
/// nothing is ever shared between organizations), with a TTL and a tag per entry (the catalog it
/// describes, or `catalogs` for the catalog list). Invalidation goes through PostgreSQL
/// (`firefly_cache` notifications: `<org>:<tag>` or `<org>:*`) so every worker of every host drops
/// the entries; while the listener is down the cache is bypassed.
public final class MetadataCache: Sendable {
    public struct Entry: Sendable {
        public let body: [UInt8]
        public let etag: String
        let tag: String
        let organizationID: Int64
    }

    public typealias Ticket = NotifiedCache<String, Entry>.Ticket

    public static let channel = "firefly_cache"
    private let cache: NotifiedCache<String, Entry>

    public init(ttlMilliseconds: Int) { cache = NotifiedCache(lifetime: Double(ttlMilliseconds) / 1000, capacity: 50_000) }

    public var isEnabled: Bool { cache.isEnabled }

    static func key(_ organizationID: Int64, _ resource: String) -> String { "\(organizationID)|\(resource)" }

    /// The ETag of a body: a strong validator over its bytes.
    public static func etag(_ body: [UInt8]) -> String { "\"" + String(Hex.encode(SHA256.hash(body)).prefix(32)) + "\"" }

    public func get(_ organizationID: Int64, _ resource: String, now: Double = Date().timeIntervalSince1970) -> Entry? {
        let entry = cache.lookup(Self.key(organizationID, resource), now: now)
        (entry == nil ? GatewayMetrics.metadataMisses : GatewayMetrics.metadataHits).increment()
        return entry
    }

    /// Take before asking Databricks; put with it.
    public func ticket() -> Ticket { cache.ticket() }

    /// Caches what a read begun at `ticket` got, unless an invalidation arrived meanwhile (a stale
    /// answer never overwrites one); returns the entry either way.
    @discardableResult
    public func put(_ organizationID: Int64, _ resource: String, tag: String, body: [UInt8], ticket: Ticket,
                    now: Double = Date().timeIntervalSince1970) -> Entry {
        let entry = Entry(body: body, etag: Self.etag(body), tag: tag, organizationID: organizationID)
        cache.store(Self.key(organizationID, resource), entry, ticket: ticket, now: now)
        return entry
    }

    public func setListening(_ listening: Bool) { cache.setListening(listening) }

    /// The listener's connection answered: the cache stays trusted a little longer.
    public func confirmAlive() { cache.confirmAlive() }

    /// `<org>:<tag>` drops that organization's entries with the tag; `<org>:*` all of them.
    public func notified(_ payload: String) {
        let parts = payload.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let organizationID = Int64(parts[0]) else { return }
        cache.invalidate { _, entry in entry.organizationID == organizationID && (parts[1] == "*" || entry.tag == parts[1]) }
    }

    /// Announces an invalidation to every worker (this one included, through the same channel).
    public static func invalidate(_ organizationID: Int64, tags: [String], connection: PostgresConnection) throws {
        for tag in Set(tags) {
            try connection.query("SELECT pg_notify(\(channel), \("\(organizationID):\(tag)"))")
        }
    }
}
