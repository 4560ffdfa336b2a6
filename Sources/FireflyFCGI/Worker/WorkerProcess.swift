import FireflyCore
import FireflyGateway
import FireflyIdentity
import FireflyMetrics
import FireflyPostgres
import FireflySettings
import ProxyCore
import FireflySystem
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
import Prometheus
#endif

/// A worker process: T accepting threads over the inherited listening socket, plus this control
/// loop that reports to the master, stops gracefully on SIGTERM, and recycles itself after
/// `max_requests`.
struct WorkerProcess {
    let configuration: FireflyConfiguration
    let listenFD: Int32
    let statusFD: Int32
    let generation: Int
    let slot: Int
    let logger: Logger

    /// Set once a report could not reach the master.
    private static let masterGone = Atomic<Bool>(false)

    func run() -> Int32 {
        // A worker never outlives its master: the kernel sends SIGTERM (a drain) when it dies.
        let master = ParentWatch.parent
        guard master > 1, ParentWatch.signalOnParentDeath(SIGTERM, expectedParent: master) else {
            logger.error("the master is gone before the worker started")
            return 1
        }
        Signals.ignore(SIGPIPE)
        Signals.installInterruptingNoOp(AcceptLoop.wakeSignal)
        // Threads start with the wake signal blocked; each unblocks it only while idle.
        Signals.block([AcceptLoop.wakeSignal])
        let signalFD: Int32
        do {
            signalFD = try SignalPipe.install([SIGTERM, SIGINT, SIGHUP, Self.retireSignal])
        } catch {
            logger.critical("cannot install signal handlers", metadata: ["error": "\(error)"])
            return 1
        }

        let metrics = PrometheusBackend.bootstrap()
        let identity: Identity
        let envelope: TokenEnvelope?
        do {
            identity = try Identity(settings: configuration.identity, logger: logger)
            envelope = try configuration.appProxy.readKeyHex().map { try TokenEnvelope(keyHex: $0) }
        } catch {
            logger.critical("identity configuration error", metadata: ["error": "\(error)"])
            return 78
        }
        let cache = MetadataCache(ttlMilliseconds: configuration.gateway.cacheTTLMilliseconds)
        let gateway = identity.vault.map { Gateway(client: WorkspaceClient(vault: $0, settings: configuration.gateway, logger: logger), cache: cache,
                                                    settings: configuration.gateway) }
        if identity.isEnabled { startListener(identity, cache: cache, gateway: gateway) }
        let forwarder = gateway.map { UploadForwarder(gateway: $0, database: configuration.database, logger: logger) }
        if let forwarder { startForwarder(forwarder) }
        let followers = forwarder.map {
            UploadFollowers(forwarder: $0, idleMilliseconds: configuration.gateway.uploadFollowIdleMilliseconds, logger: logger)
        }
        let stats = WorkerStats()
        let dispatcher = RequestDispatcher(router: Routes.make(configuration: configuration, identity: identity, gateway: gateway, envelope: envelope,
                                                               followers: followers),
                                           configuration: configuration, identity: identity, logger: logger)
        let loop = AcceptLoop(
            listenFD: listenFD,
            keepAliveIdleMilliseconds: Int32(configuration.pool.keepAliveIdleTimeoutMilliseconds),
            maxRequests: configuration.pool.maxRequests,
            drainMilliseconds: configuration.pool.drainTimeoutMilliseconds,
            stats: stats, dispatcher: dispatcher, logger: logger)
        var threads: [OSThread] = []
        for _ in 0..<configuration.pool.threadsPerWorker {
            stats.liveThreads.add(1, ordering: .relaxed)
            do {
                threads.append(try OSThread.start {
                    loop.run()
                    stats.liveThreads.subtract(1, ordering: .releasing)
                })
            } catch {
                stats.liveThreads.subtract(1, ordering: .relaxed)
                logger.critical("cannot start worker thread", metadata: ["error": "\(error)"])
                return 1
            }
        }
        // Counts first, so the master never shows a ready worker without its threads.
        report("stats 0 \(stats.liveThreads.load(ordering: .acquiring)) 0")
        report("ready")
        return control(stats: stats, threads: threads, signalFD: signalFD, metrics: metrics)
    }

    private func control(stats: WorkerStats, threads: [OSThread], signalFD: Int32, metrics: PrometheusBackend) -> Int32 {
        var drainDeadline: UInt64?
        var lastReport = ""
        var lastReportTime: UInt64 = 0
        var lastSnapshotTime: UInt64 = 0
        while true {
            let waitMilliseconds: Int32 = drainDeadline == nil ? 200 : 20
            _ = Poll.readable([signalFD], timeoutMilliseconds: waitMilliseconds)
            for signal in SignalPipe.drain() {
                switch signal {
                case SIGTERM, SIGINT:
                    // Stopping outright (the pool stops): idle kept connections close now.
                    stats.stopOutright()
                    if drainDeadline == nil { drainDeadline = beginStop(stats, retiring: false) }
                case Self.retireSignal where drainDeadline == nil:
                    drainDeadline = beginStop(stats, retiring: true)
                default:
                    break
                }
            }
            let accepted = stats.acceptedRequests.load(ordering: .relaxed)
            if drainDeadline == nil, configuration.pool.maxRequests > 0, accepted >= configuration.pool.maxRequests {
                logger.info("recycling worker after max_requests", metadata: ["requests": "\(accepted)"])
                report("recycle")
                drainDeadline = beginStop(stats, retiring: true)
            }
            let busy = stats.busyThreads.load(ordering: .relaxed)
            let live = stats.liveThreads.load(ordering: .acquiring)
            let line = "stats \(busy) \(max(0, live - busy)) \(accepted)"
            let now = MonotonicClock.nanoseconds()
            if line != lastReport || now - lastReportTime > 1_000_000_000 {
                report(line)
                lastReport = line
                lastReportTime = now
            }
            if now - lastSnapshotTime > 2_000_000_000 {
                writeSnapshot(metrics)
                lastSnapshotTime = now
            }
            guard let deadline = drainDeadline else { continue }
            if live == 0 {
                // Every accept thread has ended (its last act was the count); joining releases them.
                threads.forEach { $0.join() }
                writeSnapshot(metrics)
                return 0
            }
            if now > deadline {
                logger.error("drain timeout: abandoning in-flight requests", metadata: ["busy_threads": "\(busy)"])
                return 1
            }
            // Interrupt threads idle in accept or on a kept connection; busy ones have the signal
            // blocked and see `stopping` when they finish.
            threads.forEach { $0.signal(AcceptLoop.wakeSignal) }
        }
    }

    /// The worker's metrics, for the master to add up (``PoolMetrics``).
    private func writeSnapshot(_ metrics: PrometheusBackend) {
        let path = PoolMetrics.snapshotPath(runtimeDirectory: configuration.runtimeDirectory, pid: getpid())
        do {
            try FileDescriptors.writeFileAtomically(path, metrics.registry.emitToBuffer())
        } catch {
            logger.debug("cannot write the metrics snapshot", metadata: ["error": "\(error)"])
        }
    }

    /// One thread per worker forwards completed uploads to Databricks (``UploadForwarder``).
    private func startForwarder(_ forwarder: UploadForwarder) {
        do {
            try OSThread.start { forwarder.run() }.detach()
        } catch {
            logger.error("cannot start the upload forwarder", metadata: ["error": "\(error)"])
        }
    }

    /// One thread per worker listens for session deletions and cache invalidations, so cached
    /// sessions and metadata are dropped at once on every worker.
    private func startListener(_ identity: Identity, cache: MetadataCache, gateway: Gateway?) {
        let database = configuration.database
        let logger = self.logger
        let listener = NotificationListener(
            channels: [SessionCache.channel: { identity.sessions.notified($0) }, MetadataCache.channel: { cache.notified($0) },
                       WorkspaceClient.organizationsChannel: { gateway?.client.organizationChanged($0) }],
            onStateChange: { up in
                identity.sessions.setListening(up)
                cache.setListening(up)
            },
            onAlive: {
                identity.sessions.confirmAlive()
                cache.confirmAlive()
            })
        do {
            try OSThread.start {
                listener.run(connect: {
                    try PostgresConnection(connectionString: database.url, password: try database.readPassword(), applicationName: "firefly-listener")
                }, logger: logger)
            }.detach()
        } catch {
            logger.error("cannot start the notification listener; sessions and metadata are read from their sources on every request", metadata: ["error": "\(error)"])
        }
    }

    /// The master's signal for "a successor serves: finish and leave" (a reload's old generation).
    static let retireSignal = SIGUSR2

    /// Stops accepting; returns the drain deadline. A retiring worker keeps its kept connections
    /// for nginx until one second before that deadline (see ``AcceptLoop``).
    private func beginStop(_ stats: WorkerStats, retiring: Bool) -> UInt64 {
        if retiring { stats.retire(drainMilliseconds: configuration.pool.drainTimeoutMilliseconds) } else { stats.stopOutright() }
        return MonotonicClock.nanoseconds() + UInt64(configuration.pool.drainTimeoutMilliseconds) * 1_000_000
    }

    /// Tells the master; when the master is gone (the pipe is broken), the worker stops serving.
    private func report(_ line: String) {
        if !FileDescriptors.writeAll(statusFD, Array((line + "\n").utf8)), !Self.masterGone.exchange(true, ordering: .relaxed) {
            logger.error("the master is gone; stopping")
            kill(getpid(), SIGTERM)
        }
    }
}
