import CSQLite

/// A failure reported by SQLite: its result code and message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// SQLite's primary result code (`SQLITE_ERROR`, `SQLITE_INTERRUPT`, …).
    public let code: Int32
    /// SQLite's message.
    public let message: String
    /// Byte offset in the SQL text where compiling failed, when SQLite knows it.
    public var offset: Int? = nil
    public var description: String { message }
    /// True when the statement was interrupted by `SQLiteConnection.cancel()`.
    public var isInterrupt: Bool { code & 0xff == SQLITE_INTERRUPT }
}

/// A value bound to, or read from, a statement.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

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

/// A compiled statement.
public final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Names of the statement's parameters in order (`:name` markers keep their colon).
    public var parameterNames: [String?] {
        (0..<sqlite3_bind_parameter_count(handle)).map { index in
            sqlite3_bind_parameter_name(handle, index + 1).map { String(cString: $0) }
        }
    }

    /// True when the statement does not write to the database.
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    /// Binds `value` to the 1-based parameter `index`.
    public func bind(_ value: SQLiteValue, at index: Int) throws {
        let position = Int32(index)
        let status: Int32
        switch value {
        case .null: status = sqlite3_bind_null(handle, position)
        case .integer(let number): status = sqlite3_bind_int64(handle, position, number)
        case .real(let number): status = sqlite3_bind_double(handle, position, number)
        case .text(let text): status = sqlite3_bind_text(handle, position, text, -1, firefly_sqlite_transient())
        }
        guard status == SQLITE_OK else { throw SQLiteError(code: status, message: connection.lastMessage) }
    }

    /// Binds values in order to parameters 1, 2, …
    public func bind(_ values: [SQLiteValue]) throws {
        for (offset, value) in values.enumerated() { try bind(value, at: offset + 1) }
    }

    /// Advances to the next row: true when there is one, false when the statement is done.
    public func step() throws -> Bool {
        let status = sqlite3_step(handle)
        if status == SQLITE_ROW { return true }
        if status == SQLITE_DONE { return false }
        throw SQLiteError(code: status, message: connection.lastMessage)
    }

    /// Resets the statement to run again, keeping its bindings.
    public func reset() { sqlite3_reset(handle) }

    /// Number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of result column `index`.
    public func columnName(_ index: Int) -> String {
        sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? "_c\(index)"
    }

    /// The declared type of result column `index` when it comes straight from a table column.
    public func declaredType(_ index: Int) -> String? {
        sqlite3_column_decltype(handle, Int32(index)).map { String(cString: $0) }
    }

    /// The current row's column `index` as text (nil for NULL).
    public func text(_ index: Int) -> String? {
        let column = Int32(index)
        if sqlite3_column_type(handle, column) == SQLITE_NULL { return nil }
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The current row's column `index` as a value.
    public func value(_ index: Int) -> SQLiteValue {
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        default: return text(index).map { .text($0) } ?? .null
        }
    }
}
