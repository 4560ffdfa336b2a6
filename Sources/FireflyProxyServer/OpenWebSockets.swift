import NIOConcurrencyHelpers
import NIOCore
import ProxyCore

/// The spliced WebSockets by the FireFly session their token is bound to. A WebSocket outlives the
/// request that opened it, so the session is asked about again every check interval while any is
/// open, and when the session has ended (sign-out, revocation) its WebSockets are closed.
public final class OpenWebSockets: Sendable {
    private struct Entry: Sendable {
        let channels: [any Channel]
    }

    private let open = NIOLockedValueBox<[SessionBinding: [ObjectIdentifier: Entry]]>([:])

    public init() {}

    /// Registers the two channels of one splice until the browser's side closes.
    func add(_ session: SessionBinding, client: any Channel, upstream: any Channel) {
        let key = ObjectIdentifier(client)
        open.withLockedValue { $0[session, default: [:]][key] = Entry(channels: [client, upstream]) }
        client.closeFuture.whenComplete { _ in
            self.open.withLockedValue { open in
                open[session]?[key] = nil
                if open[session]?.isEmpty == true { open[session] = nil }
            }
        }
    }

    /// Sessions with at least one open WebSocket.
    public var sessions: [SessionBinding] { open.withLockedValue { Array($0.keys) } }

    /// Closes every WebSocket of `session`.
    func closeAll(of session: SessionBinding) {
        let entries = open.withLockedValue { $0.removeValue(forKey: session) } ?? [:]
        for entry in entries.values { for channel in entry.channels { channel.close(promise: nil) } }
    }

    /// Re-checks the sessions of open WebSockets (each at most once per the verifier's interval)
    /// and closes the WebSockets of sessions that have ended.
    func recheck(with verifier: any SessionChecking, on loop: any EventLoop, now: Double) {
        for session in sessions where !verifier.isFresh(session, now: now) {
            verifier.verify(session, on: loop).whenSuccess { verdict in
                if verdict == .gone { self.closeAll(of: session) }
            }
        }
    }
}
