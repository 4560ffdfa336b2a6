import Dispatch
import FireflyJSON
import FireflySQLite
import FireflySystem
import FoundationEssentials
import Synchronization

/// Runs statements on the warehouse: at most `concurrency` at once, each on its own thread and
/// SQLite connection so a cancel interrupts exactly that statement.
final class StatementRunner: Sendable {
    private let warehouse: Warehouse
    private let chunkBytes: Int
    private let slots: DispatchSemaphore
    private let statements = Mutex<(byID: [String: Statement], lastPurge: Double)>(([:], 0))
    private let onSchemaChange: @Sendable () -> Void

    /// Seconds after its end when a statement is forgotten.
    static let forgetAfter: Double = 12 * 3600

    /// INLINE results are capped at 25 MiB, as on Databricks.
    static let inlineLimit = 25 << 20

    init(warehouse: Warehouse, chunkBytes: Int, concurrency: Int, onSchemaChange: @escaping @Sendable () -> Void) {
        self.warehouse = warehouse
        self.chunkBytes = chunkBytes
        slots = DispatchSemaphore(value: concurrency)
        self.onSchemaChange = onSchemaChange
    }

    /// A statement of `owner`'s, or nil (another principal's statements do not exist for it).
    func statement(_ id: String, owner: String) -> Statement? {
        statements.withLock { $0.byID[id] }.flatMap { $0.owner == owner ? $0 : nil }
    }

    /// Starts `request` and returns its statement (PENDING until a slot is free).
    /// Runs `request` for the principal `owner`, who may touch only schemas its `grants` name.
    func submit(_ request: ExecuteStatementRequest, owner: String, grants: [String]) -> Statement {
        let statement = Statement(id: Self.newID(), owner: owner)
        let now = Date().timeIntervalSince1970
        statements.withLock { state in
            state.byID[statement.id] = statement
            // Once a minute: results older than an hour are CLOSED (dropped), and statements
            // 12 hours past their end are forgotten (404), as on Databricks.
            guard now - state.lastPurge > 60 else { return }
            state.lastPurge = now
            for (id, old) in state.byID {
                guard let finished = old.finishedAt else { continue }
                if now - finished > Self.forgetAfter { state.byID[id] = nil } else { _ = old.snapshot(now: now) }
            }
        }
        do {
            try OSThread.start { [self] in
                slots.wait()
                defer { slots.signal() }
                run(request, statement, grants: grants)
            }.detach()
        } catch {
            statement.finish(.FAILED, failure: .init(errorCode: "TEMPORARILY_UNAVAILABLE", message: "cannot start the statement: \(error)", sqlState: nil))
        }
        return statement
    }

    /// An id shaped like Databricks' (`01ef…-…`).
    private static func newID() -> String {
        let hex = Array(UUID().uuidString.lowercased().filter { $0 != "-" })
        let text = String(hex)
        func part(_ from: Int, _ length: Int) -> Substring {
            let start = text.index(text.startIndex, offsetBy: from)
            return text[start..<text.index(start, offsetBy: length)]
        }
        return "01ef\(part(4, 4))-\(part(8, 4))-\(part(12, 4))-\(part(16, 4))-\(part(20, 12))"
    }

    private func run(_ request: ExecuteStatementRequest, _ statement: Statement, grants: [String]) {
        let catalog = (request.catalog ?? "main").lowercased()
        let schema = (request.schema ?? "default").lowercased()
        // VACUUM (INTO a file) is not Databricks SQL and passes no authorizer: refused by name.
        if request.statement.drop(while: { $0.isWhitespace || $0 == "(" }).prefix(6).lowercased() == "vacuum" {
            statement.finish(.FAILED, failure: Self.unsupported("VACUUM"))
            return
        }
        let connection: SQLiteConnection
        do {
            connection = try warehouse.connect(defaultCatalog: catalog, defaultSchema: schema)
        } catch let error as APIError {
            statement.finish(.FAILED, failure: .init(errorCode: "BAD_REQUEST", message: error.message, sqlState: "3F000"))
            return
        } catch {
            statement.finish(.FAILED, failure: .init(errorCode: "INTERNAL_ERROR", message: "\(error)", sqlState: nil))
            return
        }
        guard statement.start(connection) else { return }
        let sql = SQLNames.qualify(request.statement, defaultCatalog: catalog, defaultSchema: schema, known: warehouse.knownSchemas)
        // Every table the statement reads or writes is checked against the principal's grants.
        let policy = SQLGrantPolicy(grants: grants, defaultCatalog: catalog, defaultSchema: schema)
        let refusals = Mutex<[SQLGrantPolicy.Refusal]>([])
        connection.authorize { action in
            guard let refusal = policy.refusal(of: action) else { return true }
            refusals.withLock { $0.append(refusal) }
            return false
        }
        do {
            let compiled: SQLiteStatement
            do {
                compiled = try connection.prepare(sql)
            } catch let error as SQLiteError where refusals.withLock({ !$0.isEmpty }) {
                throw StatementFailure(failure: Self.describe(refusals.withLock { $0[0] }, fallback: error))
            }
            try bind(request.parameters, to: compiled)
            let result = try collect(compiled, request: request)
            if !compiled.isReadOnly {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                for (catalogName, schemas) in warehouse.layout {
                    for schemaName in schemas { warehouse.syncMetadata(catalog: catalogName, schema: schemaName, now: now) }
                }
                warehouse.invalidate()
                onSchemaChange()
            }
            statement.finish(.SUCCEEDED, result: result)
        } catch let error as SQLiteError where error.isInterrupt {
            statement.finish(.CANCELED)
        } catch let error as SQLiteError {
            statement.finish(.FAILED, failure: Self.describe(error, original: request.statement, compiled: sql))
        } catch let error as StatementFailure {
            statement.finish(.FAILED, failure: error.failure)
        } catch {
            statement.finish(.FAILED, failure: .init(errorCode: "INTERNAL_ERROR", message: "\(error)", sqlState: nil))
        }
    }

    private struct StatementFailure: Error { let failure: Statement.Failure }

    /// Databricks' answers to what the grant policy refused.
    private static func describe(_ refusal: SQLGrantPolicy.Refusal, fallback: SQLiteError) -> Statement.Failure {
        switch refusal {
        case .unsupported(let what): unsupported(what)
        case .noGrant(let catalog, let schema):
            .init(errorCode: "BAD_REQUEST", message: "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have USE SCHEMA on Schema '\(catalog).\(schema)'.",
                  sqlState: "42501")
        }
    }

    private static func unsupported(_ what: String) -> Statement.Failure {
        .init(errorCode: "BAD_REQUEST", message: "[PARSE_SYNTAX_ERROR] Syntax error at or near '\(what)'. SQLSTATE: 42601", sqlState: "42601")
    }

    /// Databricks-like error codes and SQLSTATEs for SQLite's failures.
    private static func describe(_ error: SQLiteError, original: String, compiled: String) -> Statement.Failure {
        let message = error.message + (SQLErrorPosition.locate(offset: error.offset, compiled: compiled, original: original).map {
            " (line \($0.line), pos \($0.column))"
        } ?? "")
        if message.contains("no such table") {
            return .init(errorCode: "BAD_REQUEST", message: "[TABLE_OR_VIEW_NOT_FOUND] \(message)", sqlState: "42P01")
        }
        if message.contains("no such column") {
            return .init(errorCode: "BAD_REQUEST", message: "[UNRESOLVED_COLUMN] \(message)", sqlState: "42703")
        }
        if message.contains("syntax error") || message.contains("incomplete input") || message.contains("unrecognized token") {
            return .init(errorCode: "BAD_REQUEST", message: "[PARSE_SYNTAX_ERROR] \(message)", sqlState: "42601")
        }
        if message.contains("already exists") {
            return .init(errorCode: "BAD_REQUEST", message: "[TABLE_OR_VIEW_ALREADY_EXISTS] \(message)", sqlState: "42P07")
        }
        return .init(errorCode: "BAD_REQUEST", message: message, sqlState: "42000")
    }

    private func bind(_ parameters: [ExecuteStatementRequest.Parameter], to statement: SQLiteStatement) throws {
        let byName = Dictionary(parameters.map { ($0.name.lowercased(), $0) }) { _, last in last }
        for (offset, marker) in statement.parameterNames.enumerated() {
            guard let marker, marker.hasPrefix(":") || marker.hasPrefix("@") || marker.hasPrefix("$") else {
                throw StatementFailure(failure: .init(errorCode: "BAD_REQUEST", message: "[UNBOUND_SQL_PARAMETER] positional parameters (?) are not supported; use named markers (:name).", sqlState: "42P02"))
            }
            let name = String(marker.dropFirst()).lowercased()
            guard let parameter = byName[name] else {
                throw StatementFailure(failure: .init(errorCode: "BAD_REQUEST", message: "[UNBOUND_SQL_PARAMETER] Found the unbound parameter: \(name).", sqlState: "42P02"))
            }
            try statement.bind(try Self.value(parameter), at: offset + 1)
        }
    }

    /// A parameter's value, cast like Databricks casts it.
    private static func value(_ parameter: ExecuteStatementRequest.Parameter) throws -> SQLiteValue {
        guard let text = parameter.value else { return .null }
        let type = (parameter.type ?? "STRING").uppercased()
        func castError() -> StatementFailure {
            StatementFailure(failure: .init(errorCode: "BAD_REQUEST", message: "[INVALID_PARAMETER_VALUE] cannot cast '\(text)' to \(type) for parameter \(parameter.name).", sqlState: "22018"))
        }
        switch type {
        case "INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "LONG", "SHORT", "BYTE":
            guard let number = Int64(text.trimmingSpaces) else { throw castError() }
            return .integer(number)
        case "DOUBLE", "FLOAT", "REAL":
            guard let number = Double(text.trimmingSpaces) else { throw castError() }
            return .real(number)
        case "BOOLEAN":
            switch text.lowercased() {
            case "true": return .integer(1)
            case "false": return .integer(0)
            default: throw castError()
            }
        case _ where type.hasPrefix("DECIMAL"):
            guard let number = Double(text.trimmingSpaces) else { throw castError() }
            return .real(number)
        default:
            return .text(text)
        }
    }

    /// Runs the statement to completion and cuts the rows into chunks.
    private func collect(_ statement: SQLiteStatement, request: ExecuteStatementRequest) throws -> Statement.Result {
        var chunks: [Statement.Chunk] = []
        var current: [[String?]] = []
        var currentBytes = 0, totalRows = 0, totalBytes = 0, truncated = false
        var columns: [Statement.Column] = []
        var formatters: [(SQLiteStatement, Int) -> String?] = []
        let byteLimit = min(request.byteLimit ?? Self.inlineLimit, Self.inlineLimit)

        func describeColumns() {
            columns = (0..<statement.columnCount).map { index in
                let declared = statement.declaredType(index) ?? Self.inferredType(statement, index)
                let type = ColumnType.describe(declared)
                return Statement.Column(name: statement.columnName(index), type_text: type.text, type_name: type.name,
                                        position: index, type_precision: type.precision, type_scale: type.scale)
            }
            formatters = columns.map { Self.formatter(for: $0) }
        }

        while try statement.step() {
            if columns.isEmpty { describeColumns() }
            if let rowLimit = request.rowLimit, totalRows >= rowLimit {
                truncated = true
                break
            }
            let row = (0..<columns.count).map { formatters[$0](statement, $0) }
            let size = row.reduce(4) { $0 + ($1?.utf8.count ?? 4) + 3 }
            if totalBytes + size > byteLimit {
                guard request.byteLimit != nil else {
                    throw StatementFailure(failure: .init(errorCode: "BAD_REQUEST", message: "The result exceeds the INLINE limit of 25 MiB; use disposition EXTERNAL_LINKS or a row_limit.", sqlState: nil))
                }
                truncated = true
                break
            }
            if !current.isEmpty, currentBytes + size > chunkBytes {
                chunks.append(.init(index: chunks.count, rowOffset: totalRows - current.count, rows: current, byteCount: currentBytes))
                current = []
                currentBytes = 0
            }
            current.append(row)
            currentBytes += size
            totalBytes += size
            totalRows += 1
        }
        if columns.isEmpty { describeColumns() }
        if !current.isEmpty || chunks.isEmpty {
            chunks.append(.init(index: chunks.count, rowOffset: totalRows - current.count, rows: current, byteCount: currentBytes))
        }
        return Statement.Result(columns: columns, chunks: chunks, totalRows: totalRows, totalBytes: totalBytes, truncated: truncated)
    }

    private static func inferredType(_ statement: SQLiteStatement, _ index: Int) -> String {
        switch statement.value(index) {
        case .integer: return "BIGINT"
        case .real: return "DOUBLE"
        default: return "STRING"
        }
    }

    /// Renders cells as Databricks does in JSON_ARRAY: strings, or null.
    private static func formatter(for column: Statement.Column) -> (SQLiteStatement, Int) -> String? {
        switch column.type_name {
        case "BOOLEAN":
            return { statement, index in
                switch statement.value(index) {
                case .null: return nil
                case .integer(let value): return value != 0 ? "true" : "false"
                default: return statement.text(index)
                }
            }
        case "DECIMAL":
            let scale = column.type_scale ?? 0
            return { statement, index in
                switch statement.value(index) {
                case .null: return nil
                case .real(let value): return fixed(value, scale: scale)
                case .integer(let value): return fixed(Double(value), scale: scale)
                default: return statement.text(index)
                }
            }
        case "DOUBLE", "FLOAT":
            return { statement, index in
                switch statement.value(index) {
                case .null: return nil
                case .integer(let value): return "\(Double(value))"
                case .real(let value): return "\(value)"
                default: return statement.text(index)
                }
            }
        case "TIMESTAMP":
            // Databricks renders timestamps as ISO 8601 in UTC: 2016-01-02T16:35:50.000Z.
            return { statement, index in
                guard let text = statement.text(index) else { return nil }
                guard text.count == 19, text.dropFirst(10).first == " " else { return text }
                return text.prefix(10) + "T" + text.suffix(8) + ".000Z"
            }
        default:
            return { statement, index in statement.text(index) }
        }
    }

    /// `value` with exactly `scale` decimals.
    static func fixed(_ value: Double, scale: Int) -> String {
        var factor = 1.0
        for _ in 0..<scale { factor *= 10 }
        let scaled = (abs(value) * factor).rounded()
        guard scaled < 9e18 else { return "\(value)" }
        let digits = String(Int64(scaled))
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        return sign + padded.dropLast(scale) + "." + padded.suffix(scale)
    }
}
