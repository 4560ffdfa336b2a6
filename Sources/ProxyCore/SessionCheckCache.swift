/// Which sessions were found alive lately, so the proxy asks PostgreSQL about a session at most
/// once per `interval` while it is in use. A session seen alive counts as alive until the interval
/// ends (or the session's own expiry, if sooner): revocation takes effect within `interval`.
public struct SessionCheckCache: Sendable {
    /// How long a positive check holds, in seconds.
    public let interval: Double
    /// Most sessions remembered; past that, entries that ran out are dropped (all, if need be).
    public let capacity: Int
    private var aliveUntil: [SessionBinding: Double] = [:]

    public init(interval: Double, capacity: Int = 100_000) {
        self.interval = interval
        self.capacity = capacity
    }

    /// True when `binding` was found alive less than `interval` ago.
    public func isFresh(_ binding: SessionBinding, now: Double) -> Bool {
        aliveUntil[binding].map { now < $0 } ?? false
    }

    /// Records a positive check made at `now` of a session that ends at `sessionExpiresAt`.
    public mutating func recordAlive(_ binding: SessionBinding, now: Double, sessionExpiresAt: Double) {
        if aliveUntil.count >= capacity {
            aliveUntil = aliveUntil.filter { now < $0.value }
            if aliveUntil.count >= capacity { aliveUntil.removeAll(keepingCapacity: true) }
        }
        aliveUntil[binding] = min(now + interval, sessionExpiresAt)
    }

    /// Forgets `binding` (found gone).
    public mutating func forget(_ binding: SessionBinding) {
        aliveUntil[binding] = nil
    }

    /// Sessions remembered right now.
    public var count: Int { aliveUntil.count }
}
