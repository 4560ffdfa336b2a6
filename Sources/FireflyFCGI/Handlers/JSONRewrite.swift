import FireflyCore
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity
import FireflyJSON
import FireflySettings
import FireflyPostgres
import FoundationEssentials

/// Re-encodes a parsed JSON value (statement parameters passed through to Databricks).
enum JSONRewrite {
    static func encode(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return JSONText.string(text)
        case .array(let items): return "[" + items.map(encode).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.keys.sorted().map { JSONText.string($0) + ":" + encode(fields[$0] ?? .null) }.joined(separator: ",") + "}"
        }
    }
}
