import FoundationEssentials
import Testing
@testable import WorkspaceSim
import FireflySystem
import FireflySQLite

@Suite("Workspace simulator: names, pages, ranges, values")
struct WorkspaceSimUnitTests {
    let known: Set<String> = ["samples.tpch", "samples.nyctaxi", "main.default", "odd name.my schema"]

    private func qualify(_ sql: String, _ catalog: String = "main", _ schema: String = "default") -> String {
        SQLNames.qualify(sql, defaultCatalog: catalog, defaultSchema: schema, known: known)
    }

    @Test("three-level names become attached databases; the default schema is main")
    func threeLevelNames() {
        #expect(qualify("SELECT * FROM samples.tpch.orders") == #"SELECT * FROM "samples.tpch".orders"#)
        #expect(qualify("SELECT * FROM `samples`.`tpch`.`orders` o JOIN main.default.t") == #"SELECT * FROM "samples.tpch".`orders` o JOIN main.t"#)
        #expect(qualify("SELECT * FROM `odd name`.`my schema`.`t`") == #"SELECT * FROM "odd name.my schema".`t`"#)
        #expect(qualify("SELECT * FROM SAMPLES.TPCH.orders") == #"SELECT * FROM "samples.tpch".orders"#)
    }

    @Test("two-level names resolve in the default catalog; unknown prefixes and aliases stay")
    func twoLevelNames() {
        #expect(qualify("SELECT o.o_orderkey FROM tpch.orders o", "samples", "nyctaxi") == #"SELECT o.o_orderkey FROM "samples.tpch".orders o"#)
        #expect(qualify("SELECT t.a FROM default.t t") == "SELECT t.a FROM main.t t")
        #expect(qualify("SELECT nowhere.x.y") == "SELECT nowhere.x.y")
    }

    @Test("string literals and comments are never rewritten")
    func literalsUntouched() {
        #expect(qualify("SELECT 'samples.tpch.orders', \"x\" -- samples.tpch.orders\nFROM t") ==
                "SELECT 'samples.tpch.orders', \"x\" -- samples.tpch.orders\nFROM t")
        #expect(qualify("SELECT 'it''s samples.tpch.x' /* samples.tpch.y */") == "SELECT 'it''s samples.tpch.x' /* samples.tpch.y */")
    }

    @Test("pagination: legacy, server default, capped, tokens, and refusals")
    func pagination() throws {
        let all = try Pagination.page(count: 5, size: nil, token: nil, kind: "t", defaultSize: 2, maximum: 3, legacyAll: true)
        #expect(all.range == 0..<5 && all.next == nil)
        let first = try Pagination.page(count: 5, size: "0", token: nil, kind: "t", defaultSize: 2, maximum: 3, legacyAll: true)
        #expect(first.range == 0..<2)
        let second = try Pagination.page(count: 5, size: "0", token: first.next, kind: "t", defaultSize: 2, maximum: 3, legacyAll: true)
        #expect(second.range == 2..<4)
        let capped = try Pagination.page(count: 5, size: "100", token: nil, kind: "t", defaultSize: 2, maximum: 3, legacyAll: true)
        #expect(capped.range == 0..<3)
        let last = try Pagination.page(count: 5, size: "3", token: capped.next, kind: "t", defaultSize: 2, maximum: 3, legacyAll: true)
        #expect(last.range == 3..<5 && last.next == nil)
        #expect(throws: APIError.self) { try Pagination.page(count: 5, size: "-1", token: nil, kind: "t", defaultSize: 2, maximum: 3, legacyAll: true) }
        #expect(throws: APIError.self) { try Pagination.page(count: 5, size: "0", token: "garbage", kind: "t", defaultSize: 2, maximum: 3, legacyAll: true) }
        // A token minted for another listing is refused.
        #expect(throws: APIError.self) { try Pagination.page(count: 5, size: "0", token: first.next, kind: "other", defaultSize: 2, maximum: 3, legacyAll: true) }
    }

    @Test("Range headers")
    func ranges() {
        #expect(WorkspaceSimulator.parseRange("bytes=0-499", size: 1000) == 0...499)
        #expect(WorkspaceSimulator.parseRange("bytes=500-", size: 1000) == 500...999)
        #expect(WorkspaceSimulator.parseRange("bytes=-100", size: 1000) == 900...999)
        #expect(WorkspaceSimulator.parseRange("bytes=900-5000", size: 1000) == 900...999)
        #expect(WorkspaceSimulator.parseRange("bytes=1000-", size: 1000) == nil)
        #expect(WorkspaceSimulator.parseRange("bytes=5-1", size: 1000) == nil)
        #expect(WorkspaceSimulator.parseRange("bytes=0-1,5-6", size: 1000) == nil)
        #expect(WorkspaceSimulator.parseRange("items=0-1", size: 1000) == nil)
    }

    @Test("decimals keep their scale; declared types map to Databricks type names")
    func values() {
        #expect(StatementRunner.fixed(216993.03, scale: 2) == "216993.03")
        #expect(StatementRunner.fixed(-0.5, scale: 2) == "-0.50")
        #expect(StatementRunner.fixed(7, scale: 0) == "7")
        #expect(StatementRunner.fixed(0.004, scale: 2) == "0.00")
        #expect(ColumnType.describe("DECIMAL(12, 2)").text == "decimal(12,2)")
        #expect(ColumnType.describe("bigint").name == "LONG")
        #expect(ColumnType.describe("TEXT").name == "STRING")
        #expect(ColumnType.describe("TIMESTAMP").name == "TIMESTAMP")
    }

    @Test("HTTP dates")
    func httpDates() {
        #expect(HTTPDate.format(milliseconds: 784_111_777_000) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(milliseconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test("configuration: defaults, and errors that name the field")
    func configuration() throws {
        let minimal = #"{"service_principals":[{"client_id":"a","client_secret":"s","grants":["samples"]}]}"#
        let parsed = try JSONDecoder().decode(SimConfiguration.self, from: Data(minimal.utf8))
        #expect(parsed.token_lifetime_seconds == 3600)
        #expect(parsed.listenAddress?.port == 8900)
        try parsed.validate()
        var bad = parsed
        bad.listen = "nowhere"
        #expect(throws: SimConfigurationError.self) { try bad.validate() }
        bad = parsed
        bad.volumes = ["just.two"]
        #expect(throws: SimConfigurationError.self) { try bad.validate() }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(SimConfiguration.self, from: Data("{}".utf8)) }
    }
}

@Suite("Simulator SQL grant policy")
struct SQLGrantPolicyTests {
    let policy = SQLGrantPolicy(grants: ["samples.tpch", "Main"], defaultCatalog: "samples", defaultSchema: "tpch")

    func action(_ code: Int32, _ first: String? = nil, _ second: String? = nil, database: String? = nil) -> SQLiteAction {
        SQLiteAction(code: code, first: first, second: second, database: database)
    }

    @Test("reads and writes need a grant on the schema or its catalog; main is the default schema; temp is private")
    func grants() {
        #expect(policy.refusal(of: action(SQLiteAction.read, "region", "name", database: "main")) == nil)
        #expect(policy.refusal(of: action(SQLiteAction.read, "t", "c", database: "main.default")) == nil)
        #expect(policy.refusal(of: action(SQLiteAction.read, "trips", "fare", database: "samples.nyctaxi")) == .noGrant(catalog: "samples", schema: "nyctaxi"))
        #expect(policy.refusal(of: action(SQLiteAction.insert, "x", database: "extra.files")) == .noGrant(catalog: "extra", schema: "files"))
        #expect(policy.refusal(of: action(SQLiteAction.createTable, "x", database: "temp")) == nil)
        #expect(policy.refusal(of: action(SQLiteAction.alterTable, "samples.nyctaxi", "trips")) == .noGrant(catalog: "samples", schema: "nyctaxi"))
        #expect(policy.refusal(of: action(SQLiteAction.insert, "sqlite_master", database: "main.default")) == nil)
        #expect(policy.refusal(of: action(SQLiteAction.read, "_firefly_tables", "name", database: "main")) == .unsupported("_firefly_tables"))
    }

    @Test("SQLite's own statements and file-reaching functions are refused whatever the grants")
    func unsupported() {
        #expect(policy.refusal(of: action(SQLiteAction.attach, "/etc/passwd")) == .unsupported("ATTACH"))
        #expect(policy.refusal(of: action(SQLiteAction.detach, "x")) == .unsupported("DETACH"))
        #expect(policy.refusal(of: action(SQLiteAction.pragma, "writable_schema", "1")) == .unsupported("PRAGMA"))
        #expect(policy.refusal(of: action(SQLiteAction.function, nil, "load_extension")) == .unsupported("load_extension"))
        #expect(policy.refusal(of: action(SQLiteAction.function, nil, "upper")) == nil)
        #expect(policy.refusal(of: action(SQLiteAction.function, nil, "sleep")) == nil)
        #expect(policy.refusal(of: action(SQLiteAction.select)) == nil)
    }
}

@Suite("Simulator SQL error positions")
struct SQLErrorPositionTests {
    @Test("positions are Databricks' (1-based line, 0-based column) in the user's text, names rewritten or not")
    func positions() {
        #expect(SQLErrorPosition.locate(offset: 0, compiled: "SELCT 1", original: "SELCT 1")! == (1, 0))
        let original = "SELECT *\nFROM samples.tpch.region\nWHERE nme = 1 FORM"
        let compiled = "SELECT *\nFROM \"samples.tpch\".region\nWHERE nme = 1 FORM"
        let offset = Array(compiled.utf8).count - 4
        #expect(SQLErrorPosition.locate(offset: offset, compiled: compiled, original: original)! == (3, 14))
        #expect(SQLErrorPosition.locate(offset: nil, compiled: "x", original: "x") == nil)
        #expect(SQLErrorPosition.locate(offset: 99, compiled: "x", original: "x") == nil)
    }
}
