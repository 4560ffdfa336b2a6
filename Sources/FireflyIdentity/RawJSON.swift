import Dispatch
import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import JWTKit
import Synchronization

/// Re-encodes a parsed value (to hand one JWK to jwt-kit's decoder).
struct RawJSON: Encodable {
    let value: JSONValue
    init(_ value: JSONValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items.map(RawJSON.init))
        case .object(let fields): try container.encode(fields.mapValues(RawJSON.init))
        }
    }
}
