import FireflyPostgres
import FireflySystem
import Logging

/// One connection per worker process that `LISTEN`s to PostgreSQL channels and hands each
/// notification to its channel's handler. Caches that rely on notifications for invalidation must
/// stop trusting themselves while the listener is down: `onStateChange(false)` says so (and
/// `true` once it listens again, after which anything cached before is stale too).
public final class NotificationListener: Sendable {
    public typealias Handler = @Sendable (String) -> Void

    private let channels: [String: Handler]
    private let onStateChange: @Sendable (Bool) -> Void

    public init(channels: [String: Handler], onStateChange: @escaping @Sendable (Bool) -> Void) {
        self.channels = channels
        self.onStateChange = onStateChange
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
                    for notification in try connection.waitForNotifications(timeoutMilliseconds: 1000) {
                        channels[notification.channel]?(notification.payload)
                    }
                }
            } catch {
                onStateChange(false)
                logger.warning("notification listener disconnected; caches are bypassed until it is back", metadata: ["error": "\(error)"])
                MonotonicClock.sleep(milliseconds: 1000)
            }
        }
    }
}
