import Synchronization

/// Injected latency and error rates per endpoint key (`*` applies to every endpoint without its
/// own entry). Rates are deterministic: a rate of 0.25 fails exactly every fourth request.
final class FaultInjector: Sendable {
    /// What to do with one request.
    enum Decision: Equatable {
        case pass
        case fail(status: Int, retryAfter: Int?)
    }

    private struct State {
        var faults: [String: SimConfiguration.Fault]
        var accumulators: [String: Double] = [:]
    }
    private let state: Mutex<State>

    init(_ faults: [String: SimConfiguration.Fault]) { state = Mutex(State(faults: faults)) }

    /// Replaces every fault.
    func replace(_ faults: [String: SimConfiguration.Fault]) {
        state.withLock { $0 = State(faults: faults) }
    }

    var current: [String: SimConfiguration.Fault] { state.withLock { $0.faults } }

    /// The latency to add and the decision for one request to `endpoint`.
    func decide(_ endpoint: String) -> (latencyMilliseconds: Int, decision: Decision) {
        state.withLock { state in
            guard let fault = state.faults[endpoint] ?? state.faults["*"] else { return (0, .pass) }
            let key = state.faults[endpoint] != nil ? endpoint : "*"
            for (status, rate) in [(429, fault.rate_429), (503, fault.rate_503), (500, fault.rate_500)] {
                guard let rate, rate > 0 else { continue }
                let slot = "\(key)#\(status)"
                let accumulated = state.accumulators[slot, default: 0] + min(rate, 1)
                if accumulated >= 1 - 1e-9 {
                    state.accumulators[slot] = accumulated - 1
                    let retryAfter = status == 500 ? nil : (fault.retry_after_seconds ?? 1)
                    return (fault.latency_ms ?? 0, .fail(status: status, retryAfter: retryAfter))
                }
                state.accumulators[slot] = accumulated
            }
            return (fault.latency_ms ?? 0, .pass)
        }
    }
}
