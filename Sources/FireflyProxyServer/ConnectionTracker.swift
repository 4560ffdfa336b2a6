import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore

/// The connections from nginx that are open, so a stop can ask each to finish and wait for the
/// HTTP ones (a spliced WebSocket has no end of its own: it is closed when they are done).
final class ConnectionTracker: Sendable {
    private struct Entry: Sendable {
        let channel: any Channel
        var spliced = false
    }

    private let open = NIOLockedValueBox<[ObjectIdentifier: Entry]>([:])

    /// Tracks `channel` until it closes.
    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        Self.record(open.withLockedValue { open in
            open[key] = Entry(channel: channel)
            return Self.counts(open)
        })
        channel.closeFuture.whenComplete { _ in
            Self.record(self.open.withLockedValue { open in
                open[key] = nil
                return Self.counts(open)
            })
        }
    }

    /// Marks `channel` as a WebSocket splice.
    func markSpliced(_ channel: any Channel) {
        Self.record(open.withLockedValue { open in
            open[ObjectIdentifier(channel)]?.spliced = true
            return Self.counts(open)
        })
    }

    /// Open connections, and how many of them are HTTP (not spliced).
    var counts: (all: Int, http: Int) {
        open.withLockedValue { Self.counts($0) }
    }

    private static func counts(_ open: [ObjectIdentifier: Entry]) -> (all: Int, http: Int) {
        (open.count, open.values.filter { !$0.spliced }.count)
    }

    private static func record(_ counts: (all: Int, http: Int)) {
        ProxyMetrics.openConnections.record(counts.all)
        ProxyMetrics.openWebSockets.record(counts.all - counts.http)
    }

    /// Sends ``ProxyDrainEvent`` down every open connection.
    func announceDrain() {
        for entry in open.withLockedValue({ Array($0.values) }) {
            entry.channel.pipeline.fireUserInboundEventTriggered(ProxyDrainEvent())
        }
    }

    /// Closes every connection still open.
    func closeAll() {
        for entry in open.withLockedValue({ Array($0.values) }) { entry.channel.close(promise: nil) }
    }
}
