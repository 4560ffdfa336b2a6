import FireflyCore
import Testing

/// The pool master's decisions on a fake clock: every path of start, crash, recycle, reload and stop.
@Suite("Pool supervisor")
struct PoolSupervisorTests {
    typealias Action = PoolSupervisor.Action

    /// A supervisor plus a pid counter: `spawnAll` plays the master's part for `spawn` actions.
    struct Harness {
        var supervisor: PoolSupervisor
        var nextPid: Int32 = 100
        var now: UInt64 = 1_000

        init(workers: Int = 2, startTimeout: UInt64 = 5_000, drainTimeout: UInt64 = 3_000, throttle: RestartThrottle = RestartThrottle()) {
            supervisor = PoolSupervisor(
                settings: .init(workers: workers, startTimeoutMilliseconds: startTimeout, drainTimeoutMilliseconds: drainTimeout),
                throttle: throttle)
        }

        /// Performs the spawns among `actions`; returns the new pids in order.
        @discardableResult
        mutating func spawnAll(_ actions: [Action]) -> [Int32] {
            var pids: [Int32] = []
            for case .spawn(let slot, let generation) in actions {
                supervisor.spawned(pid: nextPid, slot: slot, generation: generation, now: now)
                pids.append(nextPid)
                nextPid += 1
            }
            return pids
        }

        /// Every given worker reports ready; returns the actions of the last report.
        mutating func ready(_ pids: [Int32]) -> [Action] {
            var last: [Action] = []
            for pid in pids { last = supervisor.received(.ready, from: pid, now: now) }
            return last
        }

        /// Starts the pool and makes every first worker ready.
        mutating func running() -> [Int32] {
            let pids = spawnAll(supervisor.start(now: now))
            _ = ready(pids)
            return pids
        }

        /// A SIGHUP whose configuration loads with `workers`; returns the candidate's pids.
        mutating func reload(workers: Int? = nil) -> (actions: [Action], pids: [Int32]) {
            #expect(supervisor.reloadRequested() == [.loadConfiguration])
            var settings = supervisor.settings
            if let workers { settings.workers = workers }
            let actions = supervisor.configurationLoaded(settings, now: now)
            return (actions, spawnAll(actions))
        }
    }

    @Test("start: one spawn per slot; ready is announced once every worker is ready")
    func start() {
        var pool = Harness(workers: 3)
        let actions = pool.supervisor.start(now: pool.now)
        #expect(actions == [.spawn(slot: 0, generation: 1), .spawn(slot: 1, generation: 1), .spawn(slot: 2, generation: 1)])
        let pids = pool.spawnAll(actions)
        #expect(pool.supervisor.phase.name == "starting")
        #expect(pool.supervisor.received(.ready, from: pids[0], now: pool.now).isEmpty)
        #expect(pool.supervisor.received(.ready, from: pids[1], now: pool.now).isEmpty)
        #expect(pool.supervisor.received(.ready, from: pids[2], now: pool.now) == [.announceReady(ready: 3, expected: 3)])
        #expect(pool.supervisor.phase == .running)
        #expect(pool.supervisor.tick(now: pool.now + 60_000).isEmpty)  // announced once
    }

    @Test("start: the pool announces itself after the start timeout with the workers that are ready")
    func startTimeout() {
        var pool = Harness(workers: 2, startTimeout: 5_000)
        let pids = pool.spawnAll(pool.supervisor.start(now: pool.now))
        _ = pool.supervisor.received(.ready, from: pids[0], now: pool.now)
        #expect(pool.supervisor.tick(now: pool.now + 5_000).isEmpty)
        #expect(pool.supervisor.tick(now: pool.now + 5_001) == [.announceReady(ready: 1, expected: 2)])
    }

    @Test("a crash is replaced at once in its slot and generation; unknown pids are ignored")
    func crash() {
        var pool = Harness()
        let pids = pool.running()
        let actions = pool.supervisor.exited(pid: pids[1], now: pool.now)
        #expect(actions == [.workerCrashed(pid: pids[1], slot: 1, delayMilliseconds: 0, crashesInWindow: 1), .spawn(slot: 1, generation: 1)])
        #expect(pool.supervisor.counters.crashRespawns == 1)
        #expect(pool.supervisor.exited(pid: 9_999, now: pool.now).isEmpty)
    }

    @Test("a crash storm is throttled: respawns wait for the tick that makes them due")
    func crashStorm() {
        var pool = Harness(workers: 1, throttle: RestartThrottle(windowMilliseconds: 10_000, burst: 2, maximumDelayMilliseconds: 1_000))
        var pid = pool.running()[0]
        for _ in 0..<2 {  // within the burst: replaced at once
            let actions = pool.supervisor.exited(pid: pid, now: pool.now)
            #expect(actions.last == .spawn(slot: 0, generation: 1))
            pid = pool.spawnAll(actions)[0]
        }
        let stormed = pool.supervisor.exited(pid: pid, now: pool.now)
        #expect(stormed == [.workerCrashed(pid: pid, slot: 0, delayMilliseconds: 100, crashesInWindow: 3)])
        #expect(pool.supervisor.pendingSpawns == 1)
        #expect(pool.supervisor.tick(now: pool.now + 99).isEmpty)
        #expect(pool.supervisor.tick(now: pool.now + 100) == [.spawn(slot: 0, generation: 1)])
        #expect(pool.supervisor.pendingSpawns == 0)
    }

    @Test("a failed spawn is retried no sooner than half a second later")
    func spawnFailure() {
        var pool = Harness(workers: 1)
        _ = pool.supervisor.start(now: pool.now)
        pool.supervisor.spawnFailed(slot: 0, generation: 1, now: pool.now)
        #expect(pool.supervisor.tick(now: pool.now + 499).isEmpty)
        #expect(pool.supervisor.tick(now: pool.now + 500) == [.spawn(slot: 0, generation: 1)])
    }

    @Test("recycle at max_requests: the successor starts at once and the old worker's exit is no crash")
    func recycle() {
        var pool = Harness()
        let pids = pool.running()
        #expect(pool.supervisor.received(.recycle, from: pids[0], now: pool.now) == [.spawn(slot: 0, generation: 1)])
        #expect(pool.supervisor.exited(pid: pids[0], now: pool.now).isEmpty)
        #expect(pool.supervisor.counters.recycles == 1)
        #expect(pool.supervisor.counters.crashRespawns == 0)
    }

    @Test("reload: the new generation starts beside the old; old workers retire only when every new one is ready")
    func reload() {
        var pool = Harness(workers: 2)
        let old = pool.running()
        let (actions, fresh) = pool.reload(workers: 3)
        #expect(actions == [.reloadStarted(generation: 2), .spawn(slot: 0, generation: 2), .spawn(slot: 1, generation: 2), .spawn(slot: 2, generation: 2)])
        #expect(pool.supervisor.phase.name == "reloading")
        #expect(pool.ready(Array(fresh.prefix(2))).isEmpty)
        let done = pool.ready([fresh[2]])
        #expect(done == [.reloadCompleted(generation: 2, draining: 2)] + old.map { .terminate(pid: $0, retiring: true) })
        #expect(pool.supervisor.activeGeneration == 2)
        #expect(pool.supervisor.settings.workers == 3)
        // The retired workers' exits are expected.
        for pid in old { #expect(pool.supervisor.exited(pid: pid, now: pool.now).isEmpty) }
    }

    @Test("reload that times out: the candidates are stopped, the old generation and its settings keep serving")
    func reloadTimeout() {
        var pool = Harness(workers: 2, startTimeout: 5_000)
        let old = pool.running()
        let (_, fresh) = pool.reload(workers: 4)
        _ = pool.ready([fresh[0]])
        #expect(pool.supervisor.tick(now: pool.now + 5_000).isEmpty)
        let failed = pool.supervisor.tick(now: pool.now + 5_001)
        #expect(failed == [.reloadFailed(generation: 2)] + fresh.map { .terminate(pid: $0, retiring: false) })
        #expect(pool.supervisor.activeGeneration == 1)
        #expect(pool.supervisor.settings.workers == 2)
        #expect(pool.supervisor.phase == .running)
        // The abandoned candidates exit quietly; an old worker's crash is still replaced in generation 1.
        for pid in fresh { #expect(pool.supervisor.exited(pid: pid, now: pool.now).isEmpty) }
        #expect(pool.supervisor.exited(pid: old[0], now: pool.now).last == .spawn(slot: 0, generation: 1))
        // And the next SIGHUP may try again, as generation 3.
        #expect(pool.reload().actions.first == .reloadStarted(generation: 3))
    }

    @Test("reload with an invalid configuration: refused, nothing spawned, the next SIGHUP is accepted")
    func reloadRejected() {
        var pool = Harness()
        _ = pool.running()
        #expect(pool.supervisor.reloadRequested() == [.loadConfiguration])
        #expect(pool.supervisor.configurationRejected() == [.reloadRefused])
        #expect(pool.supervisor.phase == .running)
        #expect(pool.supervisor.activeGeneration == 1)
        #expect(pool.supervisor.reloadRequested() == [.loadConfiguration])
    }

    @Test("a worker dying during a reload is replaced in its own generation")
    func crashDuringReload() {
        var pool = Harness(workers: 2)
        let old = pool.running()
        let (_, fresh) = pool.reload()
        let crashedOld = pool.supervisor.exited(pid: old[1], now: pool.now)
        #expect(crashedOld.last == .spawn(slot: 1, generation: 1))
        let oldReplacement = pool.spawnAll(crashedOld)
        let crashedFresh = pool.supervisor.exited(pid: fresh[0], now: pool.now)
        #expect(crashedFresh.last == .spawn(slot: 0, generation: 2))
        let replacement = pool.spawnAll(crashedFresh)
        _ = pool.ready([fresh[1]])
        #expect(pool.ready(replacement) == [.reloadCompleted(generation: 2, draining: 2), .terminate(pid: old[0], retiring: true), .terminate(pid: oldReplacement[0], retiring: true)])
    }

    @Test("SIGHUP is ignored while starting, reloading or stopping")
    func reloadIgnored() {
        var pool = Harness(workers: 1)
        let pids = pool.spawnAll(pool.supervisor.start(now: pool.now))
        #expect(pool.supervisor.reloadRequested() == [.reloadIgnored(reason: "the pool is still starting")])
        _ = pool.ready(pids)
        _ = pool.reload()
        #expect(pool.supervisor.reloadRequested() == [.reloadIgnored(reason: "a reload is already in progress")])
        _ = pool.supervisor.stopRequested(now: pool.now)
        #expect(pool.supervisor.reloadRequested() == [.reloadIgnored(reason: "the pool is stopping")])
    }

    @Test("stop: the listener closes, every worker drains, nothing is respawned, exit once all are gone")
    func stop() {
        var pool = Harness(workers: 2, throttle: RestartThrottle(windowMilliseconds: 10_000, burst: 0, maximumDelayMilliseconds: 1_000))
        let pids = pool.running()
        _ = pool.supervisor.exited(pid: pids[0], now: pool.now)  // throttled respawn pending
        #expect(pool.supervisor.pendingSpawns == 1)
        let actions = pool.supervisor.stopRequested(now: pool.now)
        #expect(actions == [.closeListener, .terminate(pid: pids[1], retiring: false)])
        #expect(pool.supervisor.pendingSpawns == 0)
        #expect(pool.supervisor.stopRequested(now: pool.now).isEmpty)
        #expect(pool.supervisor.tick(now: pool.now + 2_000).isEmpty)
        #expect(pool.supervisor.exited(pid: pids[1], now: pool.now) == [.exit(code: 0)])
    }

    @Test("stop: workers that outlive the drain deadline (drain timeout + 2 s) are killed once")
    func drainDeadline() {
        var pool = Harness(workers: 2, drainTimeout: 3_000)
        let pids = pool.running()
        _ = pool.supervisor.stopRequested(now: pool.now)
        #expect(pool.supervisor.tick(now: pool.now + 5_000).isEmpty)
        #expect(pool.supervisor.tick(now: pool.now + 5_001) == [.kill(pids: pids)])
        #expect(pool.supervisor.tick(now: pool.now + 9_000).isEmpty)
        _ = pool.supervisor.exited(pid: pids[0], now: pool.now + 9_000)
        #expect(pool.supervisor.exited(pid: pids[1], now: pool.now + 9_000) == [.exit(code: 0)])
    }

    @Test("stop during a reload: both generations drain and the candidate never takes over")
    func stopDuringReload() {
        var pool = Harness(workers: 1)
        let old = pool.running()
        let (_, fresh) = pool.reload()
        let actions = pool.supervisor.stopRequested(now: pool.now)
        #expect(actions == [.closeListener] + (old + fresh).map { .terminate(pid: $0, retiring: false) })
        #expect(pool.ready(fresh).isEmpty)
        #expect(pool.supervisor.activeGeneration == 1)
    }

    @Test("status: phase, workers by generation and slot, accepted requests include exited workers'")
    func status() {
        var pool = Harness(workers: 2)
        let pids = pool.running()
        _ = pool.supervisor.received(.stats(busy: 1, idle: 3, accepted: 40), from: pids[0], now: pool.now)
        _ = pool.supervisor.received(.stats(busy: 0, idle: 4, accepted: 2), from: pids[1], now: pool.now)
        _ = pool.supervisor.received(.recycle, from: pids[0], now: pool.now)
        _ = pool.supervisor.exited(pid: pids[0], now: pool.now)
        let status = pool.supervisor.status(now: pool.now + 1_500)
        #expect(status.state == "running")
        #expect(status.workers.map(\.pid) == [pids[1]])
        #expect(status.accepted_requests == 42)
        #expect(status.workers.first?.uptime_seconds == 1.5)
        #expect(status.recycles == 1 && status.respawns == 1)
    }
}
