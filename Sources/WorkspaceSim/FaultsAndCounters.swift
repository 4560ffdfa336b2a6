import Synchronization

/// Request counters per endpoint key and token exchanges per client id, readable by tests.
final class Counters: Sendable {
    private struct State {
        var requests: [String: Int] = [:]
        var tokenExchanges: [String: Int] = [:]
    }
    private let state = Mutex(State())

    func countRequest(_ endpoint: String) { state.withLock { $0.requests[endpoint, default: 0] += 1 } }
    func countTokenExchange(_ clientID: String) { state.withLock { $0.tokenExchanges[clientID, default: 0] += 1 } }
    func reset() { state.withLock { $0 = State() } }

    /// `{"requests":{…},"token_exchanges":{…}}`.
    var snapshot: [String: [String: Int]] {
        state.withLock { ["requests": $0.requests, "token_exchanges": $0.tokenExchanges] }
    }
}

