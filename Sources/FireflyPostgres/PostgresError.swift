/// A PostgreSQL failure. `message` is the server's text, for logs; user-facing errors stay generic.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// Whether the connection itself is unusable (reconnect) or one statement failed.
    public enum Kind: Sendable {
        /// The connection could not be made or was lost.
        case connection
        /// The statement failed; the connection is still good.
        case statement
    }

    /// Connection or statement failure.
    public let kind: Kind
    /// The five-character SQLSTATE, when the server sent one (e.g. `23505` unique violation).
    public let sqlState: String?
    /// The server's or libpq's message.
    public let message: String

    public init(kind: Kind, sqlState: String?, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// The server is unreachable, shutting down or starting up (a lost connection, SQLSTATE class
    /// 08, or 57P01–57P03): worth a retry shortly, not a bug.
    public var isServerUnavailable: Bool {
        kind == .connection || sqlState?.hasPrefix("08") == true || ["57P01", "57P02", "57P03"].contains(sqlState ?? "")
    }

    public var description: String {
        "PostgreSQL \(kind == .connection ? "connection" : "statement") error\(sqlState.map { " \($0)" } ?? ""): \(message)"
    }
}
