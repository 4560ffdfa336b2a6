import CSQLite

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
