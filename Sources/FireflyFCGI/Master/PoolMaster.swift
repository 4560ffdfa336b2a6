import FireflySettings
import FireflyCore
import FireflySystem
import FoundationEssentials
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The master of the pool: owns the listening socket, spawns workers (posix_spawn of this same
/// binary with the socket inherited), replaces crashed ones, recycles, reloads on SIGHUP without
/// dropping a request (new workers first, old ones drain), drains on SIGTERM, writes the status
/// document and talks to systemd. Single-threaded: one loop over signals, worker pipes and timers.
final class PoolMaster {
    private struct WorkerRecord {
        let pid: pid_t
        let generation: Int
        let slot: Int
        var statusFD: Int32
        var pendingBytes: [UInt8] = []
        var ready = false
        var draining = false
        var busy = 0
        var idle = 0
        var accepted = 0
        let startedAt: UInt64
    }

    private var configuration: FireflyConfiguration
    private let configurationPath: String?
    private let environment: [String: String]
    private let executable: String
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let listenFD: Int32
    private let socketActivated: Bool

    private var workers: [pid_t: WorkerRecord] = [:]
    private var activeGeneration = 1
    private var pendingGeneration: Int?
    private var previousConfiguration: FireflyConfiguration?
    private var reloadStartedAt: UInt64 = 0
    private var scheduledSpawns: [(slot: Int, generation: Int, dueAt: UInt64)] = []
    private var throttle = RestartThrottle()
    private var readyNotified = false
    private var stopDeadline: UInt64?
    private var killedStragglers = false
    private var counters = (respawns: 0, crashRespawns: 0, recycles: 0, reloads: 0, retiredAccepted: 0)
    private var statusDirty = true
    private var metrics: PoolMetrics
    private var lastStatusWrite: UInt64 = 0
    private let startedAt = MonotonicClock.nanoseconds()

    init(configuration: FireflyConfiguration, configurationPath: String?, environment: [String: String], logger: Logger) throws {
        self.configuration = configuration
        self.configurationPath = configurationPath
        self.environment = environment
        self.logger = logger
        self.executable = ProcessSpawner.currentExecutable()
        self.notifier = SystemdNotifier(environment: environment)
        self.metrics = PoolMetrics(runtimeDirectory: configuration.runtimeDirectory)
        if let inherited = SocketActivation.descriptors(environment: environment).first {
            guard UnixSocket.isListeningSocket(inherited) else {
                throw ConfigurationError(key: "LISTEN_FDS", problem: "descriptor \(inherited) from systemd is not a listening socket")
            }
            listenFD = try FileDescriptors.duplicate(inherited, atLeast: 10)
            FileDescriptors.close(inherited)
            socketActivated = true
        } else {
            let fd = try UnixSocket.listen(path: configuration.listenSocket, mode: configuration.listenSocketMode, backlog: Int32(configuration.listenBacklog))
            listenFD = try FileDescriptors.duplicate(fd, atLeast: 10)
            FileDescriptors.close(fd)
            socketActivated = false
        }
    }

    /// Runs until SIGTERM has drained every worker; returns the exit code.
    func run() async -> Int32 {
        Signals.ignore(SIGPIPE)
        let signalFD: Int32
        do {
            signalFD = try SignalPipe.install([SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT])
            try FileManager.default.createDirectory(atPath: configuration.runtimeDirectory, withIntermediateDirectories: true)
        } catch {
            logger.critical("cannot start the pool", metadata: ["error": "\(error)"])
            return 1
        }
        logger.info("pool starting", metadata: [
            "socket": "\(socketActivated ? "systemd socket activation" : configuration.listenSocket)",
            "workers": "\(configuration.pool.workers)", "threads": "\(configuration.pool.threadsPerWorker)",
        ])
        for slot in 0..<configuration.pool.workers { spawn(slot: slot, generation: activeGeneration) }

        while true {
            let fds = [signalFD] + workers.values.map(\.statusFD).filter { $0 >= 0 }
            for fd in Poll.readable(fds, timeoutMilliseconds: 100) where fd != signalFD {
                readReports(from: fd)
            }
            for signal in SignalPipe.drain() {
                await handle(signal: signal)
            }
            reapWorkers()
            runDueSpawns()
            progressStartAndReload()
            if let exitCode = progressStop() { return exitCode }
            writeStatusIfDue()
        }
    }

    // MARK: Signals

    private func handle(signal: Int32) async {
        switch signal {
        case SIGHUP:
            guard stopDeadline == nil else { return }
            guard pendingGeneration == nil else {
                logger.warning("reload already in progress; SIGHUP ignored")
                return
            }
            await beginReload()
        case SIGTERM, SIGINT, SIGQUIT:
            beginStop()
        default:
            break  // SIGCHLD: reaping happens every turn of the loop
        }
    }

    private func beginReload() async {
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.microseconds())\nSTATUS=Reloading configuration")
        logger.info("reloading configuration")
        var fresh: FireflyConfiguration
        do {
            fresh = try await FireflyConfiguration.load(filePath: configurationPath, environment: environment)
        } catch {
            logger.error("reload refused: the configuration is invalid; keeping the running one", metadata: ["error": "\(error)"])
            notifier.notify("READY=1\nSTATUS=Reload failed (invalid configuration); running the previous one")
            return
        }
        if !socketActivated, fresh.listenSocket != configuration.listenSocket || fresh.listenSocketMode != configuration.listenSocketMode {
            logger.warning("FIREFLY_LISTEN_SOCKET and its mode change only on restart; keeping the current socket")
            fresh.listenSocket = configuration.listenSocket
            fresh.listenSocketMode = configuration.listenSocketMode
        }
        previousConfiguration = configuration
        configuration = fresh
        let generation = activeGeneration + 1
        pendingGeneration = generation
        reloadStartedAt = MonotonicClock.nanoseconds()
        counters.reloads += 1
        for slot in 0..<configuration.pool.workers { spawn(slot: slot, generation: generation) }
        statusDirty = true
    }

    private func beginStop() {
        guard stopDeadline == nil else { return }
        notifier.notify("STOPPING=1\nSTATUS=Draining workers")
        logger.info("stopping: draining workers", metadata: ["workers": "\(workers.count)"])
        stopDeadline = MonotonicClock.nanoseconds() + UInt64(configuration.pool.drainTimeoutMilliseconds + 2000) * 1_000_000
        scheduledSpawns.removeAll()
        if !socketActivated {
            // New connections now fail fast at nginx instead of waiting in a backlog nobody serves.
            unlink(configuration.listenSocket)
        }
        FileDescriptors.close(listenFD)
        for pid in Array(workers.keys) { terminate(pid) }
        statusDirty = true
    }

    // MARK: Workers

    private func spawn(slot: Int, generation: Int) {
        // Every descriptor made here is closed on every path: a failed spawn leaks none.
        var opened: [Int32] = []
        defer { opened.forEach(FileDescriptors.close) }
        do {
            let pipe = try FileDescriptors.pipe()
            opened += [pipe.read, pipe.write]
            let readEnd = try FileDescriptors.duplicate(pipe.read, atLeast: 10)
            opened.append(readEnd)
            let writeEnd = try FileDescriptors.duplicate(pipe.write, atLeast: 10)
            opened.append(writeEnd)
            try FileDescriptors.setNonBlocking(readEnd, true)
            let pid = try ProcessSpawner.spawn(
                executable: executable,
                arguments: ["worker", "--listen-fd", "3", "--status-fd", "4", "--generation", "\(generation)", "--slot", "\(slot)"],
                environment: workerEnvironment(generation: generation),
                descriptors: [(listenFD, 3), (writeEnd, 4)])
            opened.removeAll { $0 == readEnd }  // the master keeps the read end
            workers[pid] = WorkerRecord(pid: pid, generation: generation, slot: slot, statusFD: readEnd, startedAt: MonotonicClock.nanoseconds())
            logger.debug("worker started", metadata: ["pid": "\(pid)", "generation": "\(generation)", "slot": "\(slot)"])
        } catch {
            logger.error("cannot start a worker; retrying", metadata: ["error": "\(error)", "slot": "\(slot)"])
            let delay = throttle.recordCrash(atMilliseconds: MonotonicClock.nanoseconds() / 1_000_000)
            scheduledSpawns.append((slot, generation, MonotonicClock.nanoseconds() + max(delay, 500) * 1_000_000))
        }
        statusDirty = true
    }

    /// The workers' environment: this process's, minus what belongs to the master (systemd's socket
    /// and notify variables), plus the validated configuration of the worker's generation (during a
    /// reload the old generation's respawns and recycles keep the old configuration).
    private func workerEnvironment(generation: Int) -> [String: String] {
        var result = environment.filter { !["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "FIREFLY_CONFIG"].contains($0.key) }
        let values = generation == pendingGeneration || previousConfiguration == nil ? configuration : previousConfiguration ?? configuration
        for (key, value) in values.resolvedValues { result[key] = value }
        return result
    }

    /// Stops a worker: SIGTERM, or the retire signal when a successor already serves (its kept
    /// connections are then left for nginx to close or to end after one more response).
    private func terminate(_ pid: pid_t, retiring: Bool = false) {
        guard var record = workers[pid] else { return }
        record.draining = true
        workers[pid] = record
        ChildProcesses.send(retiring ? WorkerProcess.retireSignal : SIGTERM, to: pid)
    }

    private func readReports(from fd: Int32) {
        guard let pid = workers.first(where: { $0.value.statusFD == fd })?.key, var record = workers[pid] else { return }
        guard let bytes = FileDescriptors.readAvailable(fd) else {
            FileDescriptors.close(fd)
            record.statusFD = -1
            workers[pid] = record
            return
        }
        record.pendingBytes += bytes
        while let newline = record.pendingBytes.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: record.pendingBytes[..<newline], as: UTF8.self)
            record.pendingBytes.removeSubrange(...newline)
            switch WorkerReport(line: Substring(line)) {
            case .ready:
                record.ready = true
            case .stats(let busy, let idle, let accepted):
                record.busy = busy
                record.idle = idle
                record.accepted = accepted
            case .recycle:
                record.draining = true
                counters.recycles += 1
                counters.respawns += 1
                if stopDeadline == nil, record.generation == activeGeneration || record.generation == pendingGeneration {
                    spawn(slot: record.slot, generation: record.generation)
                }
            case nil:
                logger.warning("unreadable worker report", metadata: ["pid": "\(pid)"])
            }
        }
        if record.pendingBytes.count > 4096 { record.pendingBytes.removeAll() }
        workers[pid] = record
        statusDirty = true
    }

    private func reapWorkers() {
        for (pid, status) in ChildProcesses.reapEnded() {
            // Read what the worker said before it exited (a "recycle" report may still be in the
            // pipe when the exit is noticed): an announced recycle is not a crash.
            for _ in 0..<8 {
                guard let fd = workers[pid]?.statusFD, fd >= 0 else { break }
                readReports(from: fd)  // closes the pipe at its end (the worker is gone)
            }
            guard let record = workers.removeValue(forKey: pid) else { continue }
            if record.statusFD >= 0 { FileDescriptors.close(record.statusFD) }
            counters.retiredAccepted += record.accepted
            metrics.retire(pid: pid)
            statusDirty = true
            let current = record.generation == activeGeneration || record.generation == pendingGeneration
            if record.draining || stopDeadline != nil || !current {
                logger.debug("worker exited", metadata: ["pid": "\(pid)", "status": "\(status)"])
                continue
            }
            let delay = throttle.recordCrash(atMilliseconds: MonotonicClock.nanoseconds() / 1_000_000)
            counters.crashRespawns += 1
            counters.respawns += 1
            logger.error("worker exited unexpectedly; replacing it", metadata: [
                "pid": "\(pid)", "status": "\(status)", "slot": "\(record.slot)", "delay_ms": "\(delay)",
            ])
            if delay > 0 {
                logger.warning("worker crash storm: respawns throttled", metadata: [
                    "crashes_in_window": "\(throttle.recentCrashes)", "delay_ms": "\(delay)",
                ])
            }
            scheduledSpawns.append((record.slot, record.generation, MonotonicClock.nanoseconds() + delay * 1_000_000))
        }
    }

    private func runDueSpawns() {
        let now = MonotonicClock.nanoseconds()
        let due = scheduledSpawns.filter { $0.dueAt <= now }
        scheduledSpawns.removeAll { $0.dueAt <= now }
        for entry in due where stopDeadline == nil && (entry.generation == activeGeneration || entry.generation == pendingGeneration) {
            spawn(slot: entry.slot, generation: entry.generation)
        }
    }

    // MARK: Start, reload, stop

    private func progressStartAndReload() {
        // Once stopping, the pool never announces itself ready again.
        guard stopDeadline == nil else { return }
        let now = MonotonicClock.nanoseconds()
        let startTimeout = UInt64(configuration.pool.startTimeoutMilliseconds) * 1_000_000
        if !readyNotified {
            let ready = workers.values.filter { $0.generation == activeGeneration && $0.ready }.count
            if ready >= configuration.pool.workers || now - startedAt > startTimeout {
                if ready < configuration.pool.workers {
                    logger.warning("not every worker became ready in time", metadata: ["ready": "\(ready)"])
                }
                readyNotified = true
                notifier.notify("READY=1\nMAINPID=\(SocketActivation.currentProcessID)\nSTATUS=\(statusLine())")
                logger.info("pool ready", metadata: ["workers": "\(ready)"])
            }
        }
        guard let generation = pendingGeneration else { return }
        let fresh = workers.values.filter { $0.generation == generation }
        if fresh.count >= configuration.pool.workers && fresh.allSatisfy(\.ready) {
            let old = workers.values.filter { $0.generation != generation }.map(\.pid)
            activeGeneration = generation
            pendingGeneration = nil
            previousConfiguration = nil
            scheduledSpawns.removeAll { $0.generation != generation }
            old.forEach { terminate($0, retiring: true) }
            logger.info("reload complete: new workers serve, old ones drain", metadata: ["generation": "\(generation)", "draining": "\(old.count)"])
            notifier.notify("READY=1\nSTATUS=\(statusLine())")
            statusDirty = true
        } else if now - reloadStartedAt > startTimeout {
            logger.error("reload failed: new workers did not become ready in time; keeping the running ones")
            fresh.map(\.pid).forEach { terminate($0) }
            scheduledSpawns.removeAll { $0.generation == generation }
            if let previousConfiguration { configuration = previousConfiguration }
            pendingGeneration = nil
            notifier.notify("READY=1\nSTATUS=Reload failed; running the previous configuration")
            statusDirty = true
        }
    }

    private func progressStop() -> Int32? {
        guard let deadline = stopDeadline else { return nil }
        if workers.isEmpty {
            unlink(configuration.runtimeDirectory + "/" + PoolStatusHandler.fileName)
            unlink(configuration.runtimeDirectory + "/" + PoolMetrics.fileName)
            logger.info("pool stopped")
            return 0
        }
        if MonotonicClock.nanoseconds() > deadline, !killedStragglers {
            logger.error("drain timeout: killing remaining workers", metadata: ["workers": "\(workers.count)"])
            workers.keys.forEach { ChildProcesses.send(SIGKILL, to: $0) }
            killedStragglers = true
        }
        return nil
    }

    // MARK: Status

    private func statusLine() -> String {
        let accepted = counters.retiredAccepted + workers.values.reduce(0) { $0 + $1.accepted }
        return "\(workers.count) workers x \(configuration.pool.threadsPerWorker) threads; \(accepted) requests"
    }

    private func writeStatusIfDue() {
        let now = MonotonicClock.nanoseconds()
        let sinceLast = now - lastStatusWrite
        guard (statusDirty && sinceLast > 200_000_000) || sinceLast > 2_000_000_000 else { return }
        var status = PoolStatus()
        status.pid = SocketActivation.currentProcessID
        status.state = stopDeadline != nil ? "stopping" : pendingGeneration != nil ? "reloading" : readyNotified ? "running" : "starting"
        status.generation = activeGeneration
        status.workers_configured = configuration.pool.workers
        status.threads_per_worker = configuration.pool.threadsPerWorker
        status.workers = workers.values.sorted { ($0.generation, $0.slot) < ($1.generation, $1.slot) }.map { record in
            var worker = PoolStatus.Worker()
            worker.pid = record.pid
            worker.generation = record.generation
            worker.slot = record.slot
            worker.state = record.draining ? "draining" : record.ready ? "ready" : "starting"
            worker.busy_threads = record.busy
            worker.idle_threads = record.idle
            worker.accepted_requests = record.accepted
            worker.uptime_seconds = Double((now - record.startedAt) / 1_000_000) / 1000
            return worker
        }
        status.workers_running = status.workers.count
        status.busy_threads = status.workers.reduce(0) { $0 + $1.busy_threads }
        status.idle_threads = status.workers.reduce(0) { $0 + $1.idle_threads }
        status.accepted_requests = counters.retiredAccepted + status.workers.reduce(0) { $0 + $1.accepted_requests }
        status.respawns = counters.respawns
        status.crash_respawns = counters.crashRespawns
        status.recycles = counters.recycles
        status.reloads = counters.reloads
        status.uptime_seconds = Double((now - startedAt) / 1_000_000) / 1000
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try FileDescriptors.writeFileAtomically(configuration.runtimeDirectory + "/" + PoolStatusHandler.fileName, Array(try encoder.encode(status)))
            try metrics.write(status: status)
            statusDirty = false
            lastStatusWrite = now
        } catch {
            logger.warning("cannot write the pool status document", metadata: ["error": "\(error)"])
            lastStatusWrite = now
        }
    }
}
