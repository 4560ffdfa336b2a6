import FireflySystem

/// swift-metrics handles by label values, made once: creating a `Counter` or `Timer` looks its
/// series up in the registry (label validation, a lock, a dictionary), which a request path should
/// not pay every time. Keys must come from a bounded set (route patterns, status codes, outcomes).
public final class MetricHandleCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = PlainLock<[Key: Handle]>([:])
    private let make: @Sendable (Key) -> Handle

    public init(_ make: @escaping @Sendable (Key) -> Handle) {
        self.make = make
    }

    /// The handle for `key`, made on first use.
    public func handle(_ key: Key) -> Handle {
        if let handle = handles.withLock({ $0[key] }) { return handle }
        let made = make(key)
        return handles.withLock { handles in
            if let existing = handles[key] { return existing }
            handles[key] = made
            return made
        }
    }
}
