import FireflySettings
import FoundationEssentials
import NIOConcurrencyHelpers

/// What the proxy's connections share for the life of the process: the current settings (a reload
/// replaces them; each request reads them as it starts, so exchanges in flight and open WebSockets
/// keep running), the open connections, and whether the proxy is stopping.
final class ProxyRuntime: Sendable {
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

    init(_ context: ProxyContext, threads: Int) {
        box = NIOLockedValueBox(Current(context: context))
        self.threads = threads
    }

    /// The settings new requests use.
    var current: ProxyContext { box.withLockedValue { $0.context } }

    var isDraining: Bool { box.withLockedValue { $0.draining } }

    /// Installs reloaded settings; returns their generation.
    @discardableResult
    func replace(_ context: ProxyContext) -> Int {
        box.withLockedValue { current in
            current.context = context
            current.generation += 1
            current.lastReload = "ok"
            return current.generation
        }
    }

    /// Records a reload that kept the previous settings.
    func reloadFailed() {
        box.withLockedValue { $0.lastReload = "failed" }
    }

    func beginDraining() {
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
}
