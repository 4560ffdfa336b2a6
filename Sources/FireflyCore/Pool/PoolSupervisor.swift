/// The pool master's decisions, without I/O: which workers to start, replace, retire or kill, when
/// a start or a reload is complete or has failed, and when the master may exit. Events come in
/// (a worker spawned, reported, exited; a signal; a tick of the clock), actions go out; times are
/// monotonic milliseconds passed in by the caller, so every path is testable with a fake clock.
///
/// Generations: each configuration the pool runs is a generation. During a reload the candidate
/// generation starts next to the active one; old workers are retired only when every new one is
/// ready, and a crash is replaced in the generation it belonged to.
public struct PoolSupervisor: Sendable {
    private struct ScheduledSpawn: Sendable {
        let slot: Int
        let generation: Int
        let dueAt: UInt64
    }

    public private(set) var phase: Phase
    public private(set) var activeGeneration = 1
    /// Generations are never reused: a failed reload's number stays with its (draining) workers.
    private var lastGeneration = 1
    /// The active generation's settings (the candidate's once a reload completes).
    public private(set) var settings: Settings
    public private(set) var workers: [Int32: SupervisedWorker] = [:]
    public private(set) var counters = Counters()
    private var candidateSettings: Settings?
    private var scheduledSpawns: [ScheduledSpawn] = []
    private var throttle: RestartThrottle
    /// A failed spawn is retried no sooner than this.
    private let spawnRetryMilliseconds: UInt64 = 500

    public init(settings: Settings, throttle: RestartThrottle = RestartThrottle()) {
        self.settings = settings
        self.throttle = throttle
        self.phase = .starting(deadline: 0)
    }

    // MARK: Events

    /// The master starts: spawn the first generation.
    public mutating func start(now: UInt64) -> [Action] {
        phase = .starting(deadline: now + settings.startTimeoutMilliseconds)
        return (0..<settings.workers).map { .spawn(slot: $0, generation: activeGeneration) }
    }

    /// A `spawn` action succeeded.
    public mutating func spawned(pid: Int32, slot: Int, generation: Int, now: UInt64) {
        workers[pid] = SupervisedWorker(pid: pid, generation: generation, slot: slot, startedAt: now)
    }

    /// A `spawn` action failed: retry later, throttled like a crash.
    public mutating func spawnFailed(slot: Int, generation: Int, now: UInt64) {
        let delay = throttle.recordCrash(atMilliseconds: now)
        scheduledSpawns.append(ScheduledSpawn(slot: slot, generation: generation, dueAt: now + max(delay, spawnRetryMilliseconds)))
    }

    /// A worker wrote a report line.
    public mutating func received(_ report: WorkerReport, from pid: Int32, now: UInt64) -> [Action] {
        guard var worker = workers[pid] else { return [] }
        var actions: [Action] = []
        switch report {
        case .ready:
            worker.ready = true
        case .stats(let busy, let idle, let accepted):
            worker.busyThreads = busy
            worker.idleThreads = idle
            worker.acceptedRequests = accepted
        case .recycle:
            // The worker reached max_requests and drains; its successor starts now.
            worker.draining = true
            counters.recycles += 1
            counters.respawns += 1
            if acceptsSpawns(in: worker.generation) {
                actions.append(.spawn(slot: worker.slot, generation: worker.generation))
            }
        }
        workers[pid] = worker
        return actions + progress(now: now)
    }

    /// A worker process ended (reaped). Expected exits are forgotten; a crash is replaced in its
    /// generation, at once or, during a storm, after the throttle's delay.
    public mutating func exited(pid: Int32, now: UInt64) -> [Action] {
        guard let worker = workers.removeValue(forKey: pid) else { return [] }
        counters.retiredAcceptedRequests += worker.acceptedRequests
        guard !worker.draining, acceptsSpawns(in: worker.generation) else { return progress(now: now) }
        let delay = throttle.recordCrash(atMilliseconds: now)
        counters.crashRespawns += 1
        counters.respawns += 1
        var actions: [Action] = [.workerCrashed(pid: pid, slot: worker.slot, delayMilliseconds: delay, crashesInWindow: throttle.recentCrashes)]
        if delay == 0 {
            actions.append(.spawn(slot: worker.slot, generation: worker.generation))
        } else {
            scheduledSpawns.append(ScheduledSpawn(slot: worker.slot, generation: worker.generation, dueAt: now + delay))
        }
        return actions + progress(now: now)
    }

    /// SIGHUP: load the configuration, unless a start, reload or stop is under way.
    public mutating func reloadRequested() -> [Action] {
        switch phase {
        case .running:
            phase = .loadingConfiguration
            return [.loadConfiguration]
        case .starting: return [.reloadIgnored(reason: "the pool is still starting")]
        case .loadingConfiguration, .reloading: return [.reloadIgnored(reason: "a reload is already in progress")]
        case .stopping: return [.reloadIgnored(reason: "the pool is stopping")]
        }
    }

    /// The configuration file was valid: start its generation next to the active one.
    public mutating func configurationLoaded(_ candidate: Settings, now: UInt64) -> [Action] {
        guard phase == .loadingConfiguration else { return [] }
        lastGeneration += 1
        let generation = lastGeneration
        candidateSettings = candidate
        counters.reloads += 1
        phase = .reloading(generation: generation, deadline: now + candidate.startTimeoutMilliseconds)
        return [.reloadStarted(generation: generation)] + (0..<candidate.workers).map { .spawn(slot: $0, generation: generation) }
    }

    /// The configuration file was invalid: keep serving with the active generation.
    public mutating func configurationRejected() -> [Action] {
        guard phase == .loadingConfiguration else { return [] }
        phase = .running
        return [.reloadRefused]
    }

    /// SIGTERM: stop accepting, drain every worker, kill the ones that outlive the deadline.
    public mutating func stopRequested(now: UInt64) -> [Action] {
        if case .stopping = phase { return [] }
        let drain = (candidateSettings ?? settings).drainTimeoutMilliseconds
        phase = .stopping(deadline: now + drain + 2_000, killedStragglers: false)
        scheduledSpawns.removeAll()
        candidateSettings = nil
        var actions: [Action] = [.closeListener]
        for pid in workers.keys.sorted() {
            workers[pid]?.draining = true
            actions.append(.terminate(pid: pid, retiring: false))
        }
        return actions + progress(now: now)
    }

    /// The clock moved: start throttled respawns that are due, settle timeouts.
    public mutating func tick(now: UInt64) -> [Action] {
        let due = scheduledSpawns.filter { $0.dueAt <= now }
        scheduledSpawns.removeAll { $0.dueAt <= now }
        let spawns: [Action] = due.filter { acceptsSpawns(in: $0.generation) }.map { .spawn(slot: $0.slot, generation: $0.generation) }
        return spawns + progress(now: now)
    }

    // MARK: Queries

    /// Respawns scheduled for later (a throttled crash or a failed spawn).
    public var pendingSpawns: Int { scheduledSpawns.count }

    /// The status document (the caller adds its pid and thread count).
    public func status(now: UInt64) -> PoolStatus {
        var status = PoolStatus()
        status.state = phase.name
        status.generation = activeGeneration
        status.workers_configured = settings.workers
        status.workers = workers.values.sorted { ($0.generation, $0.slot, $0.pid) < ($1.generation, $1.slot, $1.pid) }.map { worker in
            var entry = PoolStatus.Worker()
            entry.pid = worker.pid
            entry.generation = worker.generation
            entry.slot = worker.slot
            entry.state = worker.draining ? "draining" : worker.ready ? "ready" : "starting"
            entry.busy_threads = worker.busyThreads
            entry.idle_threads = worker.idleThreads
            entry.accepted_requests = worker.acceptedRequests
            entry.uptime_seconds = Double(now &- worker.startedAt) / 1000
            return entry
        }
        status.workers_running = status.workers.count
        status.busy_threads = status.workers.reduce(0) { $0 + $1.busy_threads }
        status.idle_threads = status.workers.reduce(0) { $0 + $1.idle_threads }
        status.accepted_requests = counters.retiredAcceptedRequests + status.workers.reduce(0) { $0 + $1.accepted_requests }
        status.respawns = counters.respawns
        status.crash_respawns = counters.crashRespawns
        status.recycles = counters.recycles
        status.reloads = counters.reloads
        return status
    }

    // MARK: Progress

    /// Whether a worker of `generation` that ends should be replaced: the pool is not stopping and
    /// the generation is the active one or the reload candidate.
    private func acceptsSpawns(in generation: Int) -> Bool {
        switch phase {
        case .stopping: false
        case .reloading(let candidate, _): generation == activeGeneration || generation == candidate
        case .starting, .running, .loadingConfiguration: generation == activeGeneration
        }
    }

    /// Settles the phase after any event: a start or reload that completed or timed out, a stop
    /// whose workers are gone or whose deadline passed.
    private mutating func progress(now: UInt64) -> [Action] {
        switch phase {
        case .starting(let deadline):
            let ready = readyWorkers(in: activeGeneration)
            guard ready >= settings.workers || now > deadline else { return [] }
            phase = .running
            return [.announceReady(ready: ready, expected: settings.workers)]
        case .reloading(let generation, let deadline):
            return progressReload(generation: generation, deadline: deadline, now: now)
        case .stopping(let deadline, let killed):
            if workers.isEmpty { return [.exit(code: 0)] }
            guard now > deadline, !killed else { return [] }
            phase = .stopping(deadline: deadline, killedStragglers: true)
            return [.kill(pids: workers.keys.sorted())]
        case .running, .loadingConfiguration:
            return []
        }
    }

    private mutating func progressReload(generation: Int, deadline: UInt64, now: UInt64) -> [Action] {
        guard let candidate = candidateSettings else { return [] }
        if readyWorkers(in: generation) >= candidate.workers {
            let retiring = workers.values.filter { $0.generation != generation && !$0.draining }.map(\.pid).sorted()
            for pid in retiring { workers[pid]?.draining = true }
            activeGeneration = generation
            settings = candidate
            candidateSettings = nil
            scheduledSpawns.removeAll { $0.generation != generation }
            phase = .running
            return [.reloadCompleted(generation: generation, draining: retiring.count)] + retiring.map { .terminate(pid: $0, retiring: true) }
        }
        guard now > deadline else { return [] }
        let abandoned = workers.values.filter { $0.generation == generation }.map(\.pid).sorted()
        for pid in abandoned { workers[pid]?.draining = true }
        scheduledSpawns.removeAll { $0.generation == generation }
        candidateSettings = nil
        phase = .running
        return [.reloadFailed(generation: generation)] + abandoned.map { .terminate(pid: $0, retiring: false) }
    }

    private func readyWorkers(in generation: Int) -> Int {
        workers.values.filter { $0.generation == generation && $0.ready && !$0.draining }.count
    }
}
