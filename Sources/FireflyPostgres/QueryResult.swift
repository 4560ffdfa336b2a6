/// The rows of a finished statement, copied out of libpq (text format).
public struct QueryResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// Rows of nullable text values.
    public let rows: [[String?]]
    /// The number of rows a command touched (`INSERT`, `UPDATE`, `DELETE`), or 0.
    public let affectedRows: Int

    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The first column of the first row, if any.
    public var scalar: String? {
        rows.first?.first ?? nil
    }

    /// The value of `column` in row `row`, or nil (missing column, or NULL).
    public func value(_ column: String, row: Int = 0) -> String? {
        guard row < rows.count, let index = columns.firstIndex(of: column) else { return nil }
        return rows[row][index]
    }
}
