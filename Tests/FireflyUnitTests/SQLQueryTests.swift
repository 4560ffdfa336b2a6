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
}
