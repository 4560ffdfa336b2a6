import FireflySQLite
import FoundationEssentials
import Synchronization

/// Databricks' names for SQLite's declared column types.
enum ColumnType {
    /// `(type_name, type_text, precision, scale)` for a declared type such as `DECIMAL(12,2)`.
    static func describe(_ declared: String) -> (name: String, text: String, precision: Int?, scale: Int?) {
        let upper = String(declared.uppercased().filter { !$0.isWhitespace })
        if upper.hasPrefix("DECIMAL") || upper.hasPrefix("NUMERIC") {
            let digits = upper.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let precision = digits.first ?? 10, scale = digits.count > 1 ? digits[1] : 0
            return ("DECIMAL", "decimal(\(precision),\(scale))", precision, scale)
        }
        switch upper {
        case "BIGINT", "LONG": return ("LONG", "bigint", nil, nil)
        case "INT", "INTEGER": return ("INT", "int", nil, nil)
        case "SMALLINT", "SHORT": return ("SHORT", "smallint", nil, nil)
        case "TINYINT", "BYTE": return ("BYTE", "tinyint", nil, nil)
        case "DOUBLE", "REAL": return ("DOUBLE", "double", nil, nil)
        case "FLOAT": return ("FLOAT", "float", nil, nil)
        case "BOOLEAN", "BOOL": return ("BOOLEAN", "boolean", nil, nil)
        case "DATE": return ("DATE", "date", nil, nil)
        case "TIMESTAMP": return ("TIMESTAMP", "timestamp", nil, nil)
        case "TIMESTAMP_NTZ": return ("TIMESTAMP_NTZ", "timestamp_ntz", nil, nil)
        case "BINARY", "BLOB": return ("BINARY", "binary", nil, nil)
        default: return ("STRING", "string", nil, nil)
        }
    }
}
