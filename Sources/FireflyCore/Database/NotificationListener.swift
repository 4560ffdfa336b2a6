import FireflyPostgres
import FireflySystem
import Logging

/// One connection per worker process that `LISTEN`s to PostgreSQL channels and hands each
/// notification to its channel's handler. Caches that rely on notifications for invalidation must
/// stop trusting themselves while the listener is down: `onStateChange(false)` says so (and
/// `true` once it listens again, after which anything cached before is stale too). A silent
/// connection proves nothing (a half-open socket after a failover delivers no notification and no
/// error), so the listener pings every `pingInterval` and reports each answer through `onAlive`;
/// caches stop trusting themselves when the last answer is too old (``NotifiedCache``).
public final class NotificationListener: Sendable {
    public typealias Handler = @Sendable (String) -> Void

    private let channels: [String: Handler]
    private let onStateChange: @Sendable (Bool) -> Void
    private let onAlive: @Sendable () -> Void
    /// Milliseconds between pings.
    public static let pingIntervalMilliseconds: Int32 = 1000

    public init(channels: [String: Handler], onStateChange: @escaping @Sendable (Bool) -> Void, onAlive: @escaping @Sendable () -> Void = {}) {
        self.channels = channels
        self.onStateChange = onStateChange
        self.onAlive = onAlive
    }

    /// Runs forever on the calling thread: connect, LISTEN, dispatch; on any failure report the
    /// listener down, wait a second and reconnect.
    public func run(connect: () throws -> PostgresConnection, logger: Logger) -> Never {
        while true {
            do {
                let connection = try connect()
                for channel in channels.keys.sorted() { try connection.execute(script: "LISTEN \(channel)") }
                onStateChange(true)
                while true {
                    for notification in try connection.waitForNotifications(timeoutMilliseconds: Self.pingIntervalMilliseconds) {
                        channels[notification.channel]?(notification.payload)
                    }
                    // The server answers: everything sent before the ping has been delivered.
                    try connection.query("SELECT 1")
                    onAlive()
                }
            } catch {
                onStateChange(false)
                logger.warning("notification listener disconnected; caches are bypassed until it is back", metadata: ["error": "\(error)"])
                MonotonicClock.sleep(milliseconds: 1000)
            }
        }
    }
}
