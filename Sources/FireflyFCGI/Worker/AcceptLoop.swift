import FireflyFastCGI
import FireflySystem
import Logging
#if canImport(Glibc)
import Glibc
import Synchronization
#endif

/// One worker thread: accepts connections from the shared listening socket and serves the FastCGI
/// requests on each, including the ones nginx sends over a kept connection (`fastcgi_keep_conn`).
///
/// Accepting is done here, not inside libfcgi, for two reasons: a kept connection that stays idle
/// longer than `keepAliveIdleMilliseconds` is closed so it cannot pin the thread forever (idle kept
/// connections are what starves a libfcgi pool), and a stopping worker can interrupt an idle thread
/// with `SIGUSR1`, which is blocked whenever the thread is reading or writing a request so that no
/// request is ever cut by the interruption.
///
/// Closing a kept connection races with nginx choosing it for the next request, and nginx does
/// not retry a POST or PATCH that met a closed connection (measured: 4 % of POSTs failed while
/// workers recycled and reloaded under load). So a worker that
/// retires while a successor serves (a reload or a recycle) stops accepting new connections but
/// serves its kept ones until nginx ends them: nginx closes a connection idle for its upstream
/// `keepalive_timeout`, or after a request once it is older than `keepalive_time`, both set below
/// the pool's drain time. Only a worker that stops outright, or a retiring one one second before
/// its drain deadline, closes kept connections itself.
struct AcceptLoop {
    static let wakeSignal = SIGUSR1

    let listenFD: Int32
    let keepAliveIdleMilliseconds: Int32
    /// Requests after which the worker stops accepting (0 = never); the control loop then reports
    /// the recycle to the master.
    let maxRequests: Int
    /// How long a stopping worker may take (`FIREFLY_POOL_DRAIN_TIMEOUT`).
    let drainMilliseconds: Int
    let stats: WorkerStats
    let dispatcher: RequestDispatcher
    let logger: Logger

    func run() {
        let slot = FastCGIRequest()
        let session = dispatcher.makeThreadSession()
        while true {
            Signals.unblock([Self.wakeSignal])
            if stats.isStopping {
                Signals.block([Self.wakeSignal])
                return
            }
            let result = UnixSocket.accept(listenFD)
            Signals.block([Self.wakeSignal])
            switch result {
            case .connection(let fd):
                serve(connection: fd, slot: slot, session: session)
            case .interrupted:
                continue
            case .retry:
                MonotonicClock.sleep(milliseconds: 5)
            case .failed(let error):
                logger.critical("listening socket failed; thread stops", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Serves every request of one connection until the peer closes it, it idles too long, or the
    /// worker stops.
    private func serve(connection fd: Int32, slot: FastCGIRequest, session: RequestDispatcher.ThreadSession) {
        var connection = fd
        while slot.begin(onConnection: connection) {
            stats.busyThreads.add(1, ordering: .relaxed)
            let keep = dispatcher.handle(slot, session: session)
            stats.busyThreads.subtract(1, ordering: .relaxed)
            let accepted = stats.acceptedRequests.add(1, ordering: .relaxed).newValue
            if maxRequests > 0, accepted >= maxRequests { stats.retire(drainMilliseconds: drainMilliseconds) }
            slot.finish()
            guard let kept = slot.keptConnection else { return }
            // A worker that stops outright closes a kept connection after the response; a retiring
            // one goes on serving it until nginx ends it (see the type's comment).
            guard keep, !stats.isStopping || isKeepingConnections, waitForNextRequest(on: kept) else {
                slot.closeConnection()
                return
            }
            connection = kept
        }
    }

    /// Waits on a kept connection. True when the next request has arrived (or the peer closed it,
    /// which `begin` then notices); false when it idled out or the worker is stopping. Waits in
    /// short slices and re-checks `stopping` between them, so no signal (and no signal-mask system
    /// call) is needed on this per-request path.
    private func waitForNextRequest(on fd: Int32) -> Bool {
        var remaining = Int(keepAliveIdleMilliseconds)
        while remaining > 0 {
            if stats.isStopping, !isKeepingConnections {
                // Serve a request that is already on its way rather than cut it.
                return Poll.waitReadable(fd, timeoutMilliseconds: 0) == .readable
            }
            let slice = min(remaining, Self.stopCheckMilliseconds)
            switch Poll.waitReadable(fd, timeoutMilliseconds: Int32(slice)) {
            case .readable: return true
            case .timedOut: remaining -= slice
            case .interrupted: continue
            }
        }
        return false
    }

    /// True while a retiring worker leaves its kept connections for nginx to end.
    private var isKeepingConnections: Bool {
        MonotonicClock.nanoseconds() < stats.keepConnectionsUntil.load(ordering: .relaxed)
    }

    /// How often a thread waiting on an idle kept connection looks at the stop flag.
    static let stopCheckMilliseconds = 250
}
