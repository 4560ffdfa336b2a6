import FireflySettings
import FoundationEssentials
import FireflySystem
import Logging
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// What the proxy's connections share for the life of the process: the current settings (a reload
/// replaces them; each request reads them as it starts, so exchanges in flight and open WebSockets
/// keep running), the open connections, and whether the proxy is stopping.
public final class ProxyRuntime: Sendable {
    private struct Current: Sendable {
        var context: ProxyContext
        var generation = 1
        var draining = false
        var lastReload = "none"
    }

    private let box: NIOLockedValueBox<Current>
    let connections = ConnectionTracker()
    let startedAt = Date().timeIntervalSince1970
    let threads: Int

    public init(_ context: ProxyContext, threads: Int) {
        box = NIOLockedValueBox(Current(context: context))
        self.threads = threads
    }

    /// The settings new requests use.
    public var current: ProxyContext { box.withLockedValue { $0.context } }

    var isDraining: Bool { box.withLockedValue { $0.draining } }

    /// Installs reloaded settings; returns their generation.
    @discardableResult
    public func replace(_ context: ProxyContext) -> Int {
        box.withLockedValue { current in
            current.context = context
            current.generation += 1
            current.lastReload = "ok"
            return current.generation
        }
    }

    /// Records a reload that kept the previous settings.
    public func reloadFailed() {
        box.withLockedValue { $0.lastReload = "failed" }
    }

    public func beginDraining() {
        box.withLockedValue { $0.draining = true }
    }

    /// The `/status` document.
    func status() -> ProxyStatus {
        let current = box.withLockedValue { $0 }
        let counts = connections.counts
        return ProxyStatus(version: FireflyVersion.current, pid: Int(ProcessInfo.processInfo.processIdentifier),
                           state: current.draining ? "draining" : "running",
                           uptime_seconds: ((Date().timeIntervalSince1970 - startedAt) * 10).rounded() / 10,
                           configuration_generation: current.generation, last_reload: current.lastReload, threads: threads,
                           open_connections: counts.all, open_http_connections: counts.http,
                           open_websockets: counts.all - counts.http)
    }

    /// Stops accepting, lets every forwarded exchange finish (idle connections close at once), then
    /// closes what is left, WebSockets included, at the latest `deadlineMilliseconds` from now.
    public func drain(server: any Channel, deadlineMilliseconds: Int, logger: Logger) {
        beginDraining()
        try? server.close().wait()
        connections.announceDrain()
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(deadlineMilliseconds) * 1_000_000
        logger.info("draining", metadata: ["connections": "\(connections.counts.all)", "http_connections": "\(connections.counts.http)"])
        while connections.counts.http > 0, MonotonicClock.nanoseconds() < deadline {
            usleep(20_000)
        }
        let left = connections.counts
        if left.http > 0 {
            logger.warning("drain deadline reached: closing exchanges in flight", metadata: ["http_connections": "\(left.http)"])
        }
        connections.closeAll()
        let closeDeadline = MonotonicClock.nanoseconds() + 2_000_000_000
        while connections.counts.all > 0, MonotonicClock.nanoseconds() < closeDeadline {
            usleep(10_000)
        }
        logger.info("drained", metadata: ["websockets_closed": "\(left.all - left.http)",
                                          "ms": "\((MonotonicClock.nanoseconds() - start) / 1_000_000)"])
    }
}
