import NIOCore
import ProxyCore

/// Who answers for the FireFly sessions app tokens are bound to: ``SessionVerifier`` asks
/// PostgreSQL; the handlers' tests answer themselves.
public protocol SessionChecking: Sendable {
    /// True when `session` was found alive within the check interval (no need to ask again).
    func isFresh(_ session: SessionBinding, now: Double) -> Bool
    /// Asks whether `session` lives.
    func verify(_ session: SessionBinding, on loop: any EventLoop) -> EventLoopFuture<SessionVerdict>
    /// Records the first use of an embed URL, if its session lives; `.replayed` for a second use.
    func redeem(_ redemption: ProxyGate.Redemption, on loop: any EventLoop) -> EventLoopFuture<SessionVerdict>
}
