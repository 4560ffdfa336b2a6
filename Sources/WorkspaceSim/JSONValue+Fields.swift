import FireflyJSON
import FoundationEssentials

extension JSONValue {
    /// Parses a request body that must be a JSON object (an empty body is `{}`).
    static func object(from bytes: [UInt8]) throws -> [String: JSONValue] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return [:] }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
            throw APIError.malformed("Invalid JSON given in the body of the request - expected a JSON object.")
        }
        return object
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// A string field, nil when absent or null; another type is a 400.
    func optionalString(_ key: String) throws -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw APIError.invalidParameter("Field '\(key)' must be a string.")
        }
    }

    /// An integer field (JSON number or numeric string, as protobuf JSON allows), nil when absent.
    func optionalInt(_ key: String) throws -> Int? {
        switch self[key] {
        case nil, .null?: return nil
        case .number(let value)? where value == value.rounded() && abs(value) < 9e15: return Int(value)
        case .string(let text)? where Int(text) != nil: return Int(text)
        default: throw APIError.invalidParameter("Field '\(key)' must be an integer.")
        }
    }

    /// A boolean field, nil when absent.
    func optionalBool(_ key: String) throws -> Bool? {
        switch self[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw APIError.invalidParameter("Field '\(key)' must be a boolean.")
        }
    }
}
