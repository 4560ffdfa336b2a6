import FireflyCore

/// SQL identifiers and text for statements FireFly writes itself.
public enum SQLText {
    /// A backtick-quoted identifier (backticks doubled): no name can break out of it.
    public static func identifier(_ name: String) -> String {
        "`" + name.replacing("`", with: "``") + "`"
    }

    /// The catalog a DDL statement changes (`CREATE TABLE c.s.t`, `DROP SCHEMA c.s`…), the default
    /// catalog for unqualified names, nil when the statement is not DDL; "*" when it is DDL but the
    /// target cannot be told.
    public static func ddlCatalog(_ statement: String, defaultCatalog: String?) -> String? {
        let words = statement.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).map(String.init)
        guard let verb = words.first?.uppercased(), ["CREATE", "DROP", "ALTER", "COMMENT", "RENAME", "REPLACE", "UNDROP"].contains(verb) else { return nil }
        let kinds: Set<String> = ["TABLE", "VIEW", "SCHEMA", "DATABASE", "VOLUME", "CATALOG", "FUNCTION"]
        guard let kindIndex = words.firstIndex(where: { kinds.contains($0.uppercased()) }) else { return "*" }
        var index = kindIndex + 1
        while index < words.count, ["IF", "NOT", "EXISTS"].contains(words[index].uppercased()) { index += 1 }
        guard index < words.count else { return "*" }
        let name = words[index]
        let parts = splitQualified(name)
        let kind = words[kindIndex].uppercased()
        if kind == "CATALOG" { return parts.first?.lowercased() ?? "*" }
        if ["SCHEMA", "DATABASE"].contains(kind) { return parts.count >= 2 ? parts[0].lowercased() : (defaultCatalog?.lowercased() ?? "*") }
        return parts.count >= 3 ? parts[0].lowercased() : (defaultCatalog?.lowercased() ?? "*")
    }

    /// `a.b.c` / `` `a.x`.b `` → parts, honouring backtick quoting.
    static func splitQualified(_ name: String) -> [String] {
        var parts: [String] = [], current = "", quoted = false
        var iterator = Array(name).makeIterator()
        while let character = iterator.next() {
            if character == "`" { quoted.toggle(); continue }
            if character == ".", !quoted { parts.append(current); current = ""; continue }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}
