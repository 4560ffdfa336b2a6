import FireflyCrypto
import FireflyPostgres
import FoundationEssentials
import Logging
import Synchronization

/// What a valid session grants: the user, their organization, and the CSRF token.
public struct SessionInfo: Sendable {
    public let idHash: [UInt8]
    public let userID: Int64
    public let email: String?
    public let name: String?
    public let organizationID: Int64
    public let organizationSlug: String
    public let organizationName: String
    public let provider: String
    public let csrfToken: String
    /// Seconds since the epoch.
    public let createdAt: Int64
    public let lastSeenAt: Int64
    public let expiresAt: Int64
    public let nextRefreshAt: Int64?
}

/// Per-process cache of validated sessions, trusted only while a listener connection receives
/// the database's session-deletion notifications (`firefly_sessions`, sent by a trigger on every
/// DELETE, whoever runs it): a logout or an admin revocation evicts the entry on every worker of
/// every host within milliseconds. While the listener is down nothing is cached, so a revoked
/// session can never be served from memory.
public final class SessionCache: Sendable {
    private struct Entry {
        var info: SessionInfo
        let generation: Int
    }
    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        var listening = false
        var generation = 0
    }
    private let state = Mutex(State())
    public static let channel = "firefly_sessions"
    /// Cached entries at most; the cache is cleared when it grows past this.
    static let capacity = 100_000

    public init() {}

    /// A cached session, when the listener is live and the entry was stored since it connected.
    func lookup(_ hash: [UInt8]) -> SessionInfo? {
        state.withLock { state in
            guard state.listening, let entry = state.entries[hash], entry.generation == state.generation else { return nil }
            return entry.info
        }
    }

    func store(_ info: SessionInfo) {
        state.withLock { state in
            guard state.listening else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[info.idHash] = Entry(info: info, generation: state.generation)
        }
    }

    func evict(_ hash: [UInt8]) { _ = state.withLock { $0.entries.removeValue(forKey: hash) } }

    /// The notification listener's state: caching only while it listens.
    public func setListening(_ listening: Bool) {
        state.withLock { state in
            state.listening = listening
            state.generation += 1
            state.entries.removeAll()
        }
    }

    /// A `firefly_sessions` notification: the hex SHA-256 of a deleted session.
    public func notified(_ payload: String) {
        if let hash = Hex.decode(payload), !hash.isEmpty { evict(hash) } else { setListening(true) }
    }
}
