import FireflySettings
import FireflyPostgres

/// Hands out the one PostgreSQL connection of the calling thread, opening it on first use and
/// opening a new one after the server went away (a restart is survived without restarting the
/// pool). Not thread-safe by design: every worker thread owns its own connector.
public final class DatabaseConnector {
    private let settings: DatabaseSettings
    private var connection: PostgresConnection?

    /// Bound of every statement (the request time limit: no request waits longer on the database).
    private let statementTimeoutMilliseconds: Int
    /// Bound of every lock wait (row locks taken in requests are short; waiting longer means trouble).
    static let lockTimeoutMilliseconds = 10_000

    public init(settings: DatabaseSettings, statementTimeoutMilliseconds: Int = 0) {
        self.settings = settings
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    }

    /// Runs `body` with a live connection. A connection-level failure drops the connection so the
    /// next call reconnects; the error is rethrown.
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let live = try currentConnection()
        do {
            return try body(live)
        } catch let error as PostgresError where error.kind == .connection || !live.isUsable {
            connection = nil
            throw error
        }
    }

    private func currentConnection() throws -> PostgresConnection {
        // A connection the server closed while it sat idle (PostgreSQL restarted) is replaced before
        // it fails a request.
        if let connection, connection.isAliveWhileIdle() { return connection }
        connection = nil
        let fresh = try PostgresConnection(connectionString: settings.url, password: try settings.readPassword(),
                                           statementTimeoutMilliseconds: statementTimeoutMilliseconds, lockTimeoutMilliseconds: Self.lockTimeoutMilliseconds)
        connection = fresh
        return fresh
    }
}
