import FireflyProxyServer
import NIOCore
import ProxyCore

/// Session checks that always give one verdict, never cached (every exchange asks).
struct AnsweringSessions: SessionChecking {
    let verdict: SessionVerdict

    func isFresh(_ session: SessionBinding, now: Double) -> Bool { false }

    func verify(_ session: SessionBinding, on loop: any EventLoop) -> EventLoopFuture<SessionVerdict> {
        loop.makeSucceededFuture(verdict)
    }

    func redeem(_ redemption: ProxyGate.Redemption, on loop: any EventLoop) -> EventLoopFuture<SessionVerdict> {
        loop.makeSucceededFuture(verdict)
    }
}
