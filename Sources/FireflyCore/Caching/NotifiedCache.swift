import FoundationEssentials
import FireflySystem

/// A per-process cache that is trusted only while the worker's PostgreSQL listener receives the
/// invalidations other workers and hosts send (`LISTEN/NOTIFY`); while the listener is down or in
/// doubt nothing is served from it. Entries live at most `lifetime` seconds.
///
/// A read that misses goes to the source of truth and stores what it found; an invalidation that
/// arrives while that read is under way must win. So a reader first takes a ``Ticket`` and stores
/// with it: any invalidation after the ticket was taken makes the store a no-op, and nothing stale
/// (a revoked session, dropped metadata) can come back into the cache.
public final class NotifiedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Proof of when a read began: stores made with it count only if nothing was invalidated since.
    public struct Ticket: Sendable, Equatable {
        fileprivate let epoch: UInt64
    }

    private struct Entry {
        let value: Value
        let storedAt: Double
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var listening = false
        /// When the listener last proved its connection alive (seconds since the epoch).
        var confirmedAt: Double = 0
        /// Grows with every invalidation and every change of the listener's state.
        var epoch: UInt64 = 0
    }

    private let state = PlainLock(State())
    private let lifetime: Double
    private let capacity: Int
    /// How long after the listener's last sign of life the cache stays trusted.
    public static var doubtAfterSeconds: Double { 5 }

    /// `lifetime` in seconds (0 disables the cache); past `capacity` entries the cache is emptied.
    public init(lifetime: Double, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public var isEnabled: Bool { lifetime > 0 }

    /// Take this before reading the source of truth; store with it.
    public func ticket() -> Ticket { state.withLock { Ticket(epoch: $0.epoch) } }

    /// The value for `key`, while the listener is live and the entry is younger than its lifetime.
    public func lookup(_ key: Key, now: Double) -> Value? {
        guard isEnabled else { return nil }
        return state.withLock { state in
            guard state.listening, now - state.confirmedAt < Self.doubtAfterSeconds, let entry = state.entries[key],
                  now - entry.storedAt < lifetime else { return nil }
            return entry.value
        }
    }

    /// Stores `value` unless the listener is down or anything was invalidated since `ticket`.
    /// Returns whether it was stored.
    @discardableResult
    public func store(_ key: Key, _ value: Value, ticket: Ticket, now: Double) -> Bool {
        guard isEnabled else { return false }
        return state.withLock { state in
            guard state.listening, now - state.confirmedAt < Self.doubtAfterSeconds, state.epoch == ticket.epoch else { return false }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(value: value, storedAt: now)
            return true
        }
    }

    /// Drops `key`; stores under older tickets no longer count.
    public func invalidate(_ key: Key) {
        state.withLock { state in
            state.epoch &+= 1
            state.entries[key] = nil
        }
    }

    /// Drops every entry `matches` selects; stores under older tickets no longer count.
    public func invalidate(where matches: (Key, Value) -> Bool) {
        state.withLock { state in
            state.epoch &+= 1
            state.entries = state.entries.filter { !matches($0.key, $0.value.value) }
        }
    }

    /// The listener's state: caching only while it listens; any change empties the cache.
    public func setListening(_ listening: Bool, now: Double = Date().timeIntervalSince1970) {
        state.withLock { state in
            state.listening = listening
            state.confirmedAt = now
            state.epoch &+= 1
            state.entries.removeAll()
        }
    }

    /// The listener's connection answered at `now`.
    public func confirmAlive(now: Double = Date().timeIntervalSince1970) {
        state.withLock { $0.confirmedAt = now }
    }

    public var isListening: Bool { state.withLock { $0.listening } }
}
