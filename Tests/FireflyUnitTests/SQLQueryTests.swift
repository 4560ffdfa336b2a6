import FireflyPostgres
import Testing

@Suite("SQL queries")
struct SQLQueryTests {
    @Test("interpolated values become bind parameters, never SQL text")
    func binds() {
        let name = "x'); DROP TABLE organizations; --"
        let query: SQLQuery = "SELECT id FROM organizations WHERE slug = \(name) AND id > \(5) AND active = \(true) AND note = \(nil as String?)"
        #expect(query.sql == "SELECT id FROM organizations WHERE slug = $1 AND id > $2 AND active = $3 AND note = $4")
        #expect(query.bindings == [name, "5", "true", nil])
        #expect(!query.description.contains("DROP"))
    }

    @Test("an array binds as one parameter in PostgreSQL's text form: every element quoted, quotes and backslashes escaped, nil as NULL")
    func arrays() {
        let query: SQLQuery = "SELECT unnest(\(array: ["a", "say \"hi\"", "back\\slash", nil, "", "{,}"])::text[])"
        #expect(query.sql == "SELECT unnest($1::text[])")
        #expect(query.bindings == [#"{"a","say \"hi\"","back\\slash",NULL,"","{,}"}"#])
        let empty: SQLQuery = "SELECT \(array: [])::bigint[]"
        #expect(empty.bindings == ["{}"])
    }
}
