import Dispatch
import FireflyJSON
import FireflySQLite
import FireflySystem
import FoundationEssentials
import Synchronization

/// `POST /api/2.0/sql/statements` as the Statement Execution API defines it.
struct ExecuteStatementRequest: Sendable {
    struct Parameter: Sendable {
        let name: String
        let value: String?
        let type: String?
    }

    let statement: String
    let warehouseID: String
    let catalog: String?
    let schema: String?
    let parameters: [Parameter]
    /// Seconds to wait (0, or 5…50).
    let waitSeconds: Int
    let cancelOnTimeout: Bool
    let rowLimit: Int?
    let byteLimit: Int?

    static let fields: Set<String> = ["statement", "warehouse_id", "catalog", "schema", "parameters", "wait_timeout", "on_wait_timeout",
                                      "disposition", "format", "row_limit", "byte_limit", "query_tags"]

    /// Parses and checks a request body; errors are Databricks' 400s.
    init(json: [String: JSONValue]) throws {
        if let unknown = json.keys.first(where: { !Self.fields.contains($0) }) {
            throw APIError.invalidParameter("Unknown field '\(unknown)' in the request.")
        }
        guard case .string(let statement)? = json["statement"], !statement.isEmpty else {
            throw APIError.invalidParameter("statement is required.")
        }
        guard statement.utf8.count <= 16 << 20 else { throw APIError.invalidParameter("statement is larger than 16 MiB.") }
        guard case .string(let warehouse)? = json["warehouse_id"], !warehouse.isEmpty else {
            throw APIError.invalidParameter("warehouse_id is required.")
        }
        self.statement = statement
        warehouseID = warehouse
        catalog = try json.optionalString("catalog")
        schema = try json.optionalString("schema")
        let wait = try json.optionalString("wait_timeout") ?? "10s"
        guard wait.hasSuffix("s"), let seconds = Int(wait.dropLast()), seconds == 0 || (5...50).contains(seconds) else {
            throw APIError.invalidParameter("wait_timeout must be 0s or between 5s and 50s, got '\(wait)'.")
        }
        waitSeconds = seconds
        switch try json.optionalString("on_wait_timeout") ?? "CONTINUE" {
        case "CONTINUE": cancelOnTimeout = false
        case "CANCEL": cancelOnTimeout = true
        case let other: throw APIError.invalidParameter("on_wait_timeout must be CONTINUE or CANCEL, got '\(other)'.")
        }
        if let disposition = try json.optionalString("disposition"), disposition != "INLINE" {
            throw APIError.invalidParameter("disposition \(disposition) is not supported by this workspace; use INLINE.")
        }
        if let format = try json.optionalString("format"), format != "JSON_ARRAY" {
            throw APIError.invalidParameter("format \(format) requires EXTERNAL_LINKS; use JSON_ARRAY.")
        }
        rowLimit = try json.optionalInt("row_limit")
        byteLimit = try json.optionalInt("byte_limit")
        if let rowLimit, rowLimit < 0 { throw APIError.invalidParameter("row_limit must not be negative.") }
        if let byteLimit, byteLimit < 0 { throw APIError.invalidParameter("byte_limit must not be negative.") }
        var parameters: [Parameter] = []
        if let raw = json["parameters"] {
            guard case .array(let items) = raw else { throw APIError.invalidParameter("parameters must be an array.") }
            for item in items {
                guard case .object(let fields) = item, case .string(let name)? = fields["name"], !name.isEmpty else {
                    throw APIError.invalidParameter("each parameter needs a name.")
                }
                let value: String?
                switch fields["value"] {
                case nil, .null?: value = nil
                case .string(let text)?: value = text
                default: throw APIError.invalidParameter("parameter '\(name)': value must be a string.")
                }
                parameters.append(Parameter(name: name, value: value, type: try fields.optionalString("type")))
            }
        }
        self.parameters = parameters
    }
}

extension String {
    var trimmingSpaces: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
