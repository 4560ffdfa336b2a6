/// Maps Databricks' three-level names onto SQLite databases: each `catalog.schema` is one SQLite
/// file, attached under the alias `"catalog.schema"`, and the statement's default schema is the
/// connection's `main`. `qualify` rewrites `catalog.schema.table` (and `schema.table` inside the
/// default catalog) to those aliases; string literals and comments are left alone.
enum SQLNames {
    /// The alias a schema is attached under.
    static func alias(catalog: String, schema: String) -> String { "\"\(catalog).\(schema)\"" }

    /// `sql` with known catalog/schema prefixes replaced by their SQLite database names.
    static func qualify(_ sql: String, defaultCatalog: String, defaultSchema: String, known: Set<String>) -> String {
        let characters = Array(sql.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0

        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isIdentifierPart(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) || c == "$" }

        /// Reads one identifier at `index`: its source text and its unquoted, lowercased name.
        func readIdentifier() -> (text: String, name: String)? {
            guard index < characters.count else { return nil }
            let start = index
            let c = characters[index]
            if c == "`" || c == "\"" {
                var name = String.UnicodeScalarView()
                index += 1
                while index < characters.count {
                    if characters[index] == c {
                        if index + 1 < characters.count, characters[index + 1] == c {
                            name.append(c)
                            index += 2
                            continue
                        }
                        index += 1
                        return (String(String.UnicodeScalarView(characters[start..<index])), String(name).lowercased())
                    }
                    name.append(characters[index])
                    index += 1
                }
                index = start
                return nil
            }
            guard isIdentifierStart(c) else { return nil }
            while index < characters.count, isIdentifierPart(characters[index]) { index += 1 }
            let text = String(String.UnicodeScalarView(characters[start..<index]))
            return (text, text.lowercased())
        }

        while index < characters.count {
            let c = characters[index]
            // String literals and comments pass through untouched.
            if c == "'" {
                let start = index
                index += 1
                while index < characters.count {
                    if characters[index] == "'" {
                        if index + 1 < characters.count, characters[index + 1] == "'" { index += 2; continue }
                        index += 1
                        break
                    }
                    index += 1
                }
                output.append(contentsOf: characters[start..<index])
                continue
            }
            if c == "-", index + 1 < characters.count, characters[index + 1] == "-" {
                let start = index
                while index < characters.count, characters[index] != "\n" { index += 1 }
                output.append(contentsOf: characters[start..<index])
                continue
            }
            if c == "/", index + 1 < characters.count, characters[index + 1] == "*" {
                let start = index
                index += 2
                while index + 1 < characters.count, !(characters[index] == "*" && characters[index + 1] == "/") { index += 1 }
                index = min(index + 2, characters.count)
                output.append(contentsOf: characters[start..<index])
                continue
            }
            // A chain of identifiers joined by dots.
            let previous = output.last
            let startsChain = (c == "`" || c == "\"" || isIdentifierStart(c)) && !(previous.map(isIdentifierPart) ?? false) && previous != "."
            if startsChain, let first = readIdentifier() {
                var parts = [first]
                while index < characters.count, characters[index] == "." {
                    let dot = index
                    index += 1
                    guard let next = readIdentifier() else { index = dot; break }
                    parts.append(next)
                }
                var texts = parts.map(\.text)
                if parts.count >= 3, known.contains("\(parts[0].name).\(parts[1].name)") {
                    let target = parts[0].name == defaultCatalog && parts[1].name == defaultSchema
                        ? "main" : alias(catalog: parts[0].name, schema: parts[1].name)
                    texts = [target] + texts.dropFirst(2)
                } else if parts.count == 2, known.contains("\(defaultCatalog).\(parts[0].name)") {
                    texts[0] = parts[0].name == defaultSchema ? "main" : alias(catalog: defaultCatalog, schema: parts[0].name)
                }
                output.append(contentsOf: texts.joined(separator: ".").unicodeScalars)
                continue
            }
            output.append(c)
            index += 1
        }
        return String(output)
    }
}
