import CSQLite

/// One SQLite database connection. Use it from one thread at a time; `cancel()` may be called
/// from any thread and makes the running statement (including `sleep(ms)`) stop with an interrupt;
/// a cancelled connection stays cancelled (open one connection per statement that may be cancelled).
public final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let cancelFlag: UnsafeMutablePointer<Int32>
    private var authorizer: AuthorizerBox?

    /// Opens (creating when asked) the database at `path`; ":memory:" for a private one.
    public init(path: String, create: Bool = true) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            if let db { sqlite3_close(db) }
            throw SQLiteError(code: status, message: message)
        }
        handle = db
        cancelFlag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        cancelFlag.initialize(to: 0)
        sqlite3_busy_timeout(db, 5_000)
        firefly_sqlite_register_sleep(db, cancelFlag)
    }

    deinit {
        sqlite3_close_v2(handle)
        cancelFlag.deallocate()
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if status != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: status, message: message)
        }
    }

    /// Compiles the first statement of `sql`.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let status = sql.withCString { text in
            let result = sqlite3_prepare_v2(handle, text, -1, &statement, &tail)
            // Anything but whitespace and semicolons after the first statement is refused.
            if result == SQLITE_OK, let tail, String(cString: tail).contains(where: { !$0.isWhitespace && $0 != ";" }) {
                sqlite3_finalize(statement)
                statement = nil
                return Int32(-1)
            }
            return result
        }
        if status == -1 { throw SQLiteError(code: SQLITE_ERROR, message: "only one statement may be executed at a time") }
        guard status == SQLITE_OK else {
            let offset = Int(sqlite3_error_offset(handle))
            throw SQLiteError(code: status, message: lastMessage, offset: offset >= 0 ? offset : nil)
        }
        guard let statement else { throw SQLiteError(code: SQLITE_ERROR, message: "empty statement") }
        return SQLiteStatement(handle: statement, connection: self)
    }

    /// Decides every action of the statements compiled from now on: `allow` returning false makes
    /// compiling fail with SQLITE_AUTH ("not authorized"). The decision is kept as long as the connection.
    public func authorize(_ allow: @escaping @Sendable (SQLiteAction) -> Bool) {
        let box = AuthorizerBox(allow)
        authorizer = box
        sqlite3_set_authorizer(handle, { userData, code, first, second, database, _ in
            guard let userData else { return SQLITE_DENY }
            let box = Unmanaged<AuthorizerBox>.fromOpaque(userData).takeUnretainedValue()
            let action = SQLiteAction(code: code, first: first.map { String(cString: $0) }, second: second.map { String(cString: $0) },
                                      database: database.map { String(cString: $0) })
            return box.allow(action) ? SQLITE_OK : SQLITE_DENY
        }, Unmanaged.passUnretained(box).toOpaque())
    }

    /// Keeps the authorizer's closure alive as long as the connection that calls it.
    private final class AuthorizerBox: Sendable {
        let allow: @Sendable (SQLiteAction) -> Bool
        init(_ allow: @escaping @Sendable (SQLiteAction) -> Bool) { self.allow = allow }
    }

    /// Stops the statement running on this connection, from any thread.
    public func cancel() {
        cancelFlag.pointee = 1
        sqlite3_interrupt(handle)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}
