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
    /// A worker's report pipe and the bytes of a line not yet complete.
    private struct ReportPipe {
        var fd: Int32
        var pendingBytes: [UInt8] = []
    }

    /// The active generation's configuration.
    private var configuration: FireflyConfiguration
    /// A reload's configuration: checked, then numbered when the supervisor starts the reload; it
    /// becomes ``configuration`` when the reload completes and is dropped when it fails.
    private var candidate: (generation: Int?, configuration: FireflyConfiguration)?
    private let configurationPath: String?
    private let environment: [String: String]
    private let executable: String
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let listenFD: Int32
    private let socketActivated: Bool

    private var supervisor: PoolSupervisor
    private var pipes: [pid_t: ReportPipe] = [:]
    private var exitCode: Int32?
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
        self.supervisor = PoolSupervisor(settings: Self.settings(of: configuration))
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

    private static func settings(of configuration: FireflyConfiguration) -> PoolSupervisor.Settings {
        PoolSupervisor.Settings(
            workers: configuration.pool.workers,
            startTimeoutMilliseconds: UInt64(configuration.pool.startTimeoutMilliseconds),
            drainTimeoutMilliseconds: UInt64(configuration.pool.drainTimeoutMilliseconds))
    }

    private static func now() -> UInt64 { MonotonicClock.nanoseconds() / 1_000_000 }

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
        await perform(supervisor.start(now: Self.now()))

        while exitCode == nil {
            let fds = [signalFD] + pipes.values.map(\.fd)
            for fd in Poll.readable(fds, timeoutMilliseconds: 100) where fd != signalFD {
                await readReports(from: fd)
            }
            for signal in SignalPipe.drain() {
                await handle(signal: signal)
            }
            await reapWorkers()
            await perform(supervisor.tick(now: Self.now()))
            writeStatusIfDue()
        }
        return exitCode ?? 0
    }

    // MARK: Events in

    private func handle(signal: Int32) async {
        switch signal {
        case SIGHUP: await perform(supervisor.reloadRequested())
        case SIGTERM, SIGINT, SIGQUIT: await perform(supervisor.stopRequested(now: Self.now()))
        default: break  // SIGCHLD: reaping happens every turn of the loop
        }
    }

    private func readReports(from fd: Int32) async {
        guard let pid = pipes.first(where: { $0.value.fd == fd })?.key, var pipe = pipes[pid] else { return }
        guard let bytes = FileDescriptors.readAvailable(fd) else {
            FileDescriptors.close(fd)
            pipes[pid] = nil
            return
        }
        pipe.pendingBytes += bytes
        var reports: [WorkerReport] = []
        while let newline = pipe.pendingBytes.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pipe.pendingBytes[..<newline], as: UTF8.self)
            pipe.pendingBytes.removeSubrange(...newline)
            if let report = WorkerReport(line: Substring(line)) {
                reports.append(report)
            } else {
                logger.warning("unreadable worker report", metadata: ["pid": "\(pid)"])
            }
        }
        if pipe.pendingBytes.count > 4096 { pipe.pendingBytes.removeAll() }
        pipes[pid] = pipe
        for report in reports {
            await perform(supervisor.received(report, from: pid, now: Self.now()))
        }
    }

    private func reapWorkers() async {
        for (pid, status) in ChildProcesses.reapEnded() {
            // Read what the worker said before it exited (a "recycle" report may still be in the
            // pipe when the exit is noticed): an announced recycle is not a crash.
            for _ in 0..<8 {
                guard let fd = pipes[pid]?.fd else { break }
                await readReports(from: fd)  // closes the pipe at its end (the worker is gone)
            }
            if let pipe = pipes.removeValue(forKey: pid) { FileDescriptors.close(pipe.fd) }
            metrics.retire(pid: pid)
            logger.debug("worker exited", metadata: ["pid": "\(pid)", "status": "\(status)"])
            await perform(supervisor.exited(pid: pid, now: Self.now()))
        }
    }

    // MARK: Actions out

    private func perform(_ actions: [PoolSupervisor.Action]) async {
        guard !actions.isEmpty else { return }
        statusDirty = true
        for action in actions { await perform(action) }
    }

    private func perform(_ action: PoolSupervisor.Action) async {
        switch action {
        case .spawn(let slot, let generation):
            spawn(slot: slot, generation: generation)
        case .terminate(let pid, let retiring):
            ChildProcesses.send(retiring ? WorkerProcess.retireSignal : SIGTERM, to: pid)
        case .kill(let pids):
            logger.error("drain timeout: killing remaining workers", metadata: ["workers": "\(pids.count)"])
            pids.forEach { ChildProcesses.send(SIGKILL, to: $0) }
        case .closeListener:
            notifier.notify("STOPPING=1\nSTATUS=Draining workers")
            logger.info("stopping: draining workers", metadata: ["workers": "\(supervisor.workers.count)"])
            if !socketActivated {
                // New connections now fail fast at nginx instead of waiting in a backlog nobody serves.
                unlink(configuration.listenSocket)
            }
            FileDescriptors.close(listenFD)
        case .loadConfiguration:
            await loadConfiguration()
        case .announceReady(let ready, let expected):
            if ready < expected {
                logger.warning("not every worker became ready in time", metadata: ["ready": "\(ready)"])
            }
            notifier.notify("READY=1\nMAINPID=\(SocketActivation.currentProcessID)\nSTATUS=\(statusLine())")
            logger.info("pool ready", metadata: ["workers": "\(ready)"])
        case .reloadStarted(let generation):
            candidate?.generation = generation
        case .reloadCompleted(let generation, let draining):
            if let candidate, candidate.generation == generation { configuration = candidate.configuration }
            candidate = nil
            logger.info("reload complete: new workers serve, old ones drain", metadata: ["generation": "\(generation)", "draining": "\(draining)"])
            notifier.notify("READY=1\nSTATUS=\(statusLine())")
        case .reloadFailed:
            candidate = nil
            logger.error("reload failed: new workers did not become ready in time; keeping the running ones")
            notifier.notify("READY=1\nSTATUS=Reload failed; running the previous configuration")
        case .reloadRefused:
            candidate = nil
            notifier.notify("READY=1\nSTATUS=Reload failed (invalid configuration); running the previous one")
        case .reloadIgnored(let reason):
            logger.warning("SIGHUP ignored", metadata: ["reason": "\(reason)"])
        case .workerCrashed(let pid, let slot, let delay, let crashes):
            logger.error("worker exited unexpectedly; replacing it", metadata: ["pid": "\(pid)", "slot": "\(slot)", "delay_ms": "\(delay)"])
            if delay > 0 {
                logger.warning("worker crash storm: respawns throttled", metadata: ["crashes_in_window": "\(crashes)", "delay_ms": "\(delay)"])
            }
        case .exit(let code):
            unlink(configuration.runtimeDirectory + "/" + PoolStatusHandler.fileName)
            unlink(configuration.runtimeDirectory + "/" + PoolMetrics.fileName)
            logger.info("pool stopped")
            exitCode = code
        }
    }

    private func loadConfiguration() async {
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.microseconds())\nSTATUS=Reloading configuration")
        logger.info("reloading configuration")
        var fresh: FireflyConfiguration
        do {
            fresh = try await FireflyConfiguration.load(filePath: configurationPath, environment: environment)
        } catch {
            logger.error("reload refused: the configuration is invalid; keeping the running one", metadata: ["error": "\(error)"])
            await perform(supervisor.configurationRejected())
            return
        }
        if !socketActivated, fresh.listenSocket != configuration.listenSocket || fresh.listenSocketMode != configuration.listenSocketMode {
            logger.warning("FIREFLY_LISTEN_SOCKET and its mode change only on restart; keeping the current socket")
            fresh.listenSocket = configuration.listenSocket
            fresh.listenSocketMode = configuration.listenSocketMode
        }
        candidate = (nil, fresh)
        await perform(supervisor.configurationLoaded(Self.settings(of: fresh), now: Self.now()))
    }

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
            pipes[pid] = ReportPipe(fd: readEnd)
            supervisor.spawned(pid: pid, slot: slot, generation: generation, now: Self.now())
            logger.debug("worker started", metadata: ["pid": "\(pid)", "generation": "\(generation)", "slot": "\(slot)"])
        } catch {
            logger.error("cannot start a worker; retrying", metadata: ["error": "\(error)", "slot": "\(slot)"])
            supervisor.spawnFailed(slot: slot, generation: generation, now: Self.now())
        }
    }

    /// The workers' environment: this process's, minus what belongs to the master (systemd's socket
    /// and notify variables), plus the validated configuration of the worker's generation (during a
    /// reload the old generation's respawns and recycles keep the old configuration).
    private func workerEnvironment(generation: Int) -> [String: String] {
        var result = environment.filter { !["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "FIREFLY_CONFIG"].contains($0.key) }
        let source = candidate.flatMap { $0.generation == generation ? $0.configuration : nil } ?? configuration
        for (key, value) in source.resolvedValues { result[key] = value }
        return result
    }

    // MARK: Status

    private func statusLine() -> String {
        let status = supervisor.status(now: Self.now())
        return "\(status.workers_running) workers x \(configuration.pool.threadsPerWorker) threads; \(status.accepted_requests) requests"
    }

    private func writeStatusIfDue() {
        let now = MonotonicClock.nanoseconds()
        let sinceLast = now - lastStatusWrite
        guard (statusDirty && sinceLast > 200_000_000) || sinceLast > 2_000_000_000 else { return }
        var status = supervisor.status(now: now / 1_000_000)
        status.pid = SocketActivation.currentProcessID
        status.threads_per_worker = configuration.pool.threadsPerWorker
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
