import FireflySettings
import FireflyPostgres

/// Hands out the one PostgreSQL connection of the calling thread, opening it on first use and
/// opening a new one after the server went away (a restart is survived without restarting the
/// pool). Not thread-safe by design: every worker thread owns its own connector.
public final class DatabaseConnector {
    private let settings: DatabaseSettings
    private var connection: PostgresConnection?

    public init(settings: DatabaseSettings) {
        self.settings = settings
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
        if let connection, connection.isUsable { return connection }
        connection = nil
        let fresh = try PostgresConnection(connectionString: settings.url, password: try settings.readPassword())
        connection = fresh
        return fresh
    }
}
