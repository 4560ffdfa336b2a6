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

