import FireflyCrypto
import FireflyPostgres
import FoundationEssentials
import Synchronization

/// Catalog metadata answers cached per organization (the organization id is part of every key, so
/// nothing is ever shared between organizations), with a TTL and a tag per entry (the catalog it
/// describes, or `catalogs` for the catalog list). Invalidation goes through PostgreSQL
/// (`firefly_cache` notifications: `<org>:<tag>` or `<org>:*`) so every worker of every host drops
/// the entries; while the listener is down the cache is bypassed.
public final class MetadataCache: Sendable {
    public struct Entry: Sendable {
        public let body: [UInt8]
        public let etag: String
        let storedAt: Double
        let tag: String
        let organizationID: Int64
        let generation: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var listening = false
        var generation = 0
    }

    public static let channel = "firefly_cache"
    static let capacity = 50_000
    private let state = Mutex(State())
    private let ttl: Double

    public init(ttlMilliseconds: Int) { ttl = Double(ttlMilliseconds) / 1000 }

    public var isEnabled: Bool { ttl > 0 }

    static func key(_ organizationID: Int64, _ resource: String) -> String { "\(organizationID)|\(resource)" }

    /// The ETag of a body: a strong validator over its bytes.
    public static func etag(_ body: [UInt8]) -> String { "\"" + String(Hex.encode(SHA256.hash(body)).prefix(32)) + "\"" }

    public func get(_ organizationID: Int64, _ resource: String, now: Double = Date().timeIntervalSince1970) -> Entry? {
        guard isEnabled else { return nil }
        return state.withLock { state in
            guard state.listening, let entry = state.entries[Self.key(organizationID, resource)],
                  entry.generation == state.generation, now - entry.storedAt < ttl else { return nil }
            return entry
        }
    }

    @discardableResult
    public func put(_ organizationID: Int64, _ resource: String, tag: String, body: [UInt8], now: Double = Date().timeIntervalSince1970) -> Entry {
        let entry = Entry(body: body, etag: Self.etag(body), storedAt: now, tag: tag, organizationID: organizationID, generation: 0)
        guard isEnabled else { return entry }
        return state.withLock { state in
            guard state.listening else { return entry }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            let stored = Entry(body: body, etag: entry.etag, storedAt: now, tag: tag, organizationID: organizationID, generation: state.generation)
            state.entries[Self.key(organizationID, resource)] = stored
            return stored
        }
    }

    public func setListening(_ listening: Bool) {
        state.withLock { state in
            state.listening = listening
            state.generation += 1
            state.entries.removeAll()
        }
    }

    /// `<org>:<tag>` drops that organization's entries with the tag; `<org>:*` all of them.
    public func notified(_ payload: String) {
        let parts = payload.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let organizationID = Int64(parts[0]) else { return }
        state.withLock { state in
            state.entries = state.entries.filter { _, entry in
                entry.organizationID != organizationID || (parts[1] != "*" && entry.tag != parts[1])
            }
        }
    }

    /// Announces an invalidation to every worker (this one included, through the same channel).
    public static func invalidate(_ organizationID: Int64, tags: [String], connection: PostgresConnection) throws {
        for tag in Set(tags) {
            try connection.query("SELECT pg_notify(\(channel), \("\(organizationID):\(tag)"))")
        }
    }
}
