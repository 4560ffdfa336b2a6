import CPostgres
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe: each worker thread owns its own.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// Statements prepared on this connection (``query(prepared:_:)``).
    private var prepared: Set<String> = []

    /// Connects with a libpq connection string or URI; the password, when given, is passed apart so
    /// it never sits in a string that could be logged. Every connection has TCP keepalives and a
    /// `tcp_user_timeout`, so a server that vanished (failover, a NAT dropping the flow) is noticed
    /// within seconds instead of minutes; `statementTimeoutMilliseconds` and `lockTimeoutMilliseconds`
    /// bound every statement and lock wait of the session (0: none).
    public init(connectionString: String, password: String?, applicationName: String = "firefly",
                statementTimeoutMilliseconds: Int = 0, lockTimeoutMilliseconds: Int = 0) throws {
        var keywords = ["dbname", "application_name", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout", "options"]
        var values = [connectionString, applicationName, "5", "1", "10", "3", "3", "15000",
                      "-c statement_timeout=\(max(0, statementTimeoutMilliseconds)) -c lock_timeout=\(max(0, lockTimeoutMilliseconds))"]
        if let password {
            keywords.append("password")
            values.append(password)
        }
        let connection = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, sqlState: nil, message: "out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(kind: .connection, sqlState: nil, message: message)
        }
        self.handle = connection
    }

    deinit { PQfinish(handle) }

    /// False once the server went away; such a connection should be dropped and a new one made.
    public var isUsable: Bool {
        PQstatus(handle) == CONNECTION_OK
    }

    /// True inside a transaction block (also a failed one): what is written now shares its fate.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Whether an idle connection is still good, checked without a round trip: a server that shut
    /// down or restarted has closed the socket (after a FATAL message), which leaves it readable;
    /// libpq reads what is there and notices the end. One `poll` with no wait when all is well.
    public func isAliveWhileIdle() -> Bool {
        guard isUsable else { return false }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return true }
        return PQconsumeInput(handle) == 1 && isUsable
    }

    /// Runs one parameterized statement.
    @discardableResult
    public func query(_ query: SQLQuery) throws -> QueryResult {
        let result = Self.withCStrings(query.bindings) { values in
            PQexecParams(handle, query.sql, Int32(query.bindings.count), nil, values, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs a parameterized statement that the request path runs often as a statement prepared on
    /// this connection under `name`: parsed and planned once per connection, not on every call.
    /// `name` must always stand for the same SQL text.
    @discardableResult
    public func query(prepared name: String, _ query: SQLQuery) throws -> QueryResult {
        if !prepared.contains(name) {
            try consume(PQprepare(handle, name, query.sql, Int32(query.bindings.count), nil))
            prepared.insert(name)
        }
        let result = Self.withCStrings(query.bindings) { values in
            PQexecPrepared(handle, name, Int32(query.bindings.count), values, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs SQL text that may hold several statements: only for text the program itself defines
    /// (migrations, `BEGIN`/`COMMIT`). It has no parameters; use `query(_:)` for anything with values.
    public func execute(script sql: String) throws {
        try consume(PQexec(handle, sql))
    }

    /// A notification received on a channel this connection listens to (`LISTEN`).
    public struct Notification: Sendable {
        public let channel: String
        public let payload: String
    }

    /// Waits up to `timeoutMilliseconds` for notifications and returns those that arrived; throws
    /// a connection error when the server went away (the caller reconnects and re-listens).
    public func waitForNotifications(timeoutMilliseconds: Int32) throws -> [Notification] {
        var received = drainNotifications()
        guard received.isEmpty else { return received }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw PostgresError(kind: .connection, sqlState: nil, message: "no connection") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR { throw PostgresError(kind: .connection, sqlState: nil, message: "poll failed") }
        if ready > 0 {
            guard PQconsumeInput(handle) == 1, isUsable else {
                throw PostgresError(kind: .connection, sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
            }
            received = drainNotifications()
        }
        return received
    }

    private func drainNotifications() -> [Notification] {
        var notifications: [Notification] = []
        while let notice = PQnotifies(handle) {
            notifications.append(Notification(channel: String(cString: notice.pointee.relname),
                                              payload: notice.pointee.extra.map { String(cString: $0) } ?? ""))
            PQfreemem(notice)
        }
        return notifications
    }

    @discardableResult
    private func consume(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else {
            throw PostgresError(kind: isUsable ? .statement : .connection, sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return Self.copy(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = Self.trimmed(PQresultErrorMessage(result))
            throw PostgresError(kind: isUsable ? .statement : .connection, sqlState: state, message: message)
        }
    }

    private static func copy(_ result: OpaquePointer) -> QueryResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            rows.append((0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(columns: columns, rows: rows, affectedRows: affected)
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        var text = String(cString: message)
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }

    private static func withCStrings<T>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T) -> T {
        let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } } + [nil]
        defer { duplicated.forEach { free($0) } }
        return duplicated.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { body($0.baseAddress) }
        }
    }
}
