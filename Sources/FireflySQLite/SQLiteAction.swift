import CSQLite

/// Something a statement being compiled wants to do, as SQLite's authorizer reports it
/// (`sqlite3_set_authorizer`): the action code and its arguments.
public struct SQLiteAction: Sendable, Equatable {
    /// SQLite's action code (`SQLITE_READ`, `SQLITE_ATTACH`, …); see the constants below.
    public let code: Int32
    /// First argument: mostly a table, index or view name (the database name for ALTER TABLE).
    public let first: String?
    /// Second argument: a column, table or function name, depending on the code.
    public let second: String?
    /// The database (schema) the object lives in: `main`, `temp` or an attached name.
    public let database: String?

    public init(code: Int32, first: String?, second: String?, database: String?) {
        self.code = code
        self.first = first
        self.second = second
        self.database = database
    }

    public static let createIndex = SQLITE_CREATE_INDEX
    public static let createTable = SQLITE_CREATE_TABLE
    public static let createTempIndex = SQLITE_CREATE_TEMP_INDEX
    public static let createTempTable = SQLITE_CREATE_TEMP_TABLE
    public static let createTempTrigger = SQLITE_CREATE_TEMP_TRIGGER
    public static let createTempView = SQLITE_CREATE_TEMP_VIEW
    public static let createTrigger = SQLITE_CREATE_TRIGGER
    public static let createView = SQLITE_CREATE_VIEW
    public static let delete = SQLITE_DELETE
    public static let dropIndex = SQLITE_DROP_INDEX
    public static let dropTable = SQLITE_DROP_TABLE
    public static let dropTempIndex = SQLITE_DROP_TEMP_INDEX
    public static let dropTempTable = SQLITE_DROP_TEMP_TABLE
    public static let dropTempTrigger = SQLITE_DROP_TEMP_TRIGGER
    public static let dropTempView = SQLITE_DROP_TEMP_VIEW
    public static let dropTrigger = SQLITE_DROP_TRIGGER
    public static let dropView = SQLITE_DROP_VIEW
    public static let insert = SQLITE_INSERT
    public static let pragma = SQLITE_PRAGMA
    public static let read = SQLITE_READ
    public static let select = SQLITE_SELECT
    public static let transaction = SQLITE_TRANSACTION
    public static let update = SQLITE_UPDATE
    public static let attach = SQLITE_ATTACH
    public static let detach = SQLITE_DETACH
    public static let alterTable = SQLITE_ALTER_TABLE
    public static let reindex = SQLITE_REINDEX
    public static let analyze = SQLITE_ANALYZE
    public static let createVirtualTable = SQLITE_CREATE_VTABLE
    public static let dropVirtualTable = SQLITE_DROP_VTABLE
    public static let function = SQLITE_FUNCTION
    public static let savepoint = SQLITE_SAVEPOINT
    public static let recursive = SQLITE_RECURSIVE
}
