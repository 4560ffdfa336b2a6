import FireflyCore
import FireflyMetrics
import FireflySystem
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The pool's Prometheus document, written by the master: each worker writes a snapshot of its own
/// registry every two seconds (``snapshotPath(runtimeDirectory:pid:)``); the master adds them up,
/// keeps the counters of workers that have exited (so totals never go back), and adds its own
/// figures from the status document. A worker serves the result at `/metrics`.
struct PoolMetrics {
    static let fileName = "metrics.prom"
    private let runtimeDirectory: String
    private var retired = MetricsExposition()

    init(runtimeDirectory: String) {
        self.runtimeDirectory = runtimeDirectory
        let folder = Self.folder(runtimeDirectory)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Snapshots of a previous master's workers are not this pool's.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] { unlink(folder + "/" + name) }
    }

    /// Where the worker `pid` writes its snapshot.
    static func snapshotPath(runtimeDirectory: String, pid: Int32) -> String {
        folder(runtimeDirectory) + "/worker-\(pid).prom"
    }

    private static func folder(_ runtimeDirectory: String) -> String { runtimeDirectory + "/metrics" }

    /// Keeps the totals of the worker `pid`, which has exited, and removes its snapshot.
    mutating func retire(pid: Int32) {
        let path = Self.snapshotPath(runtimeDirectory: runtimeDirectory, pid: pid)
        if let bytes = FileDescriptors.readFile(path, limit: 16 << 20) {
            retired.add(MetricsExposition(parsing: String(decoding: bytes, as: UTF8.self)), cumulativeOnly: true)
        }
        unlink(path)
    }

    /// The pool's document: the live workers' snapshots, the retired totals, the master's figures.
    func exposition(status: PoolStatus) -> MetricsExposition {
        var total = retired
        for worker in status.workers {
            guard let bytes = FileDescriptors.readFile(Self.snapshotPath(runtimeDirectory: runtimeDirectory, pid: worker.pid), limit: 16 << 20) else { continue }
            total.add(MetricsExposition(parsing: String(decoding: bytes, as: UTF8.self)))
        }
        for state in ["starting", "ready", "draining"] {
            total.set(MetricCatalogue.poolWorkers, labels: [("state", state)], value: Double(status.workers.filter { $0.state == state }.count))
        }
        total.set(MetricCatalogue.poolThreads, labels: [("state", "busy")], value: Double(status.busy_threads))
        total.set(MetricCatalogue.poolThreads, labels: [("state", "idle")], value: Double(status.idle_threads))
        total.set(MetricCatalogue.poolRestarts, labels: [("reason", "crash")], value: Double(status.crash_respawns))
        total.set(MetricCatalogue.poolRestarts, labels: [("reason", "recycle")], value: Double(status.recycles))
        total.set(MetricCatalogue.poolRestarts, labels: [("reason", "reload")], value: Double(status.reloads * status.workers_configured))
        total.set(MetricCatalogue.poolAccepted, value: Double(status.accepted_requests))
        total.set(MetricCatalogue.poolUptime, value: status.uptime_seconds)
        return total
    }

    /// Writes the document for `/metrics`.
    func write(status: PoolStatus) throws {
        try FileDescriptors.writeFileAtomically(runtimeDirectory + "/" + Self.fileName, Array(exposition(status: status).rendered().utf8))
    }
}
