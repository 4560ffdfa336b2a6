import FireflySQLite
import FoundationEssentials
import Synchronization

/// The workspace's data: one SQLite file per `catalog.schema` under `<data>/catalogs/`, with the
/// Unity Catalog metadata read from them (so DDL run through the Statement Execution API changes
/// what the catalog lists), and the generated sample data.
final class Warehouse: Sendable {
    /// A table or view as Unity Catalog describes it.
    struct Table: Sendable {
        struct Column: Sendable {
            let name: String
            let declaredType: String
            let position: Int
            let nullable: Bool
            let comment: String?
        }
        let catalog: String
        let schema: String
        let name: String
        let isView: Bool
        let viewDefinition: String?
        let columns: [Column]
        let comment: String?
        let createdAt: Int64
        let updatedAt: Int64
    }

    let root: String
    private let schemaCache = Mutex<[String: [String]]?>(nil)

    init(dataDirectory: String) {
        root = dataDirectory + "/catalogs"
    }

    /// The SQLite file of a schema.
    func databasePath(catalog: String, schema: String) -> String { "\(root)/\(catalog)/\(schema).db" }

    /// Creates an empty schema (folder + database file with the metadata tables).
    func createSchema(catalog: String, schema: String) throws {
        try FileManager.default.createDirectory(atPath: "\(root)/\(catalog)", withIntermediateDirectories: true)
        let connection = try SQLiteConnection(path: databasePath(catalog: catalog, schema: schema))
        try connection.execute(Self.metadataDDL)
        invalidate()
    }

    static let metadataDDL = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS _firefly_tables (table_name TEXT PRIMARY KEY, comment TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS _firefly_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, comment TEXT, PRIMARY KEY (table_name, column_name));
        """

    /// Forgets the cached list of catalogs and schemas (after DDL or data generation).
    func invalidate() { schemaCache.withLock { $0 = nil } }

    /// Every catalog with its schemas, sorted.
    var layout: [String: [String]] {
        if let cached = schemaCache.withLock({ $0 }) { return cached }
        var layout: [String: [String]] = [:]
        let catalogs = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for catalog in catalogs.sorted() where !catalog.hasPrefix(".") {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(catalog)")) ?? []
            layout[catalog] = files.filter { $0.hasSuffix(".db") }.map { String($0.dropLast(3)) }.sorted()
        }
        schemaCache.withLock { $0 = layout }
        return layout
    }

    /// `catalog.schema` names that exist.
    var knownSchemas: Set<String> {
        Set(layout.flatMap { catalog, schemas in schemas.map { "\(catalog).\($0)" } })
    }

    /// A connection whose `main` is the default schema (an empty private database when the catalog
    /// has no such schema) and which sees every other schema under its
    /// `"catalog.schema"` alias.
    func connect(defaultCatalog: String, defaultSchema: String) throws -> SQLiteConnection {
        let layout = self.layout
        guard layout[defaultCatalog] != nil else {
            throw APIError.notFound("CATALOG_DOES_NOT_EXIST", "Catalog '\(defaultCatalog)' does not exist.")
        }
        // Without the default schema (a catalog lacking `default`), names must be qualified.
        let hasDefault = layout[defaultCatalog]?.contains(defaultSchema) == true
        let connection = try SQLiteConnection(path: hasDefault ? databasePath(catalog: defaultCatalog, schema: defaultSchema) : ":memory:",
                                              create: !hasDefault)
        for (catalog, schemas) in layout {
            for schema in schemas where !(catalog == defaultCatalog && schema == defaultSchema) {
                let path = databasePath(catalog: catalog, schema: schema).replacing("'", with: "''")
                try connection.execute("ATTACH DATABASE '\(path)' AS \(SQLNames.alias(catalog: catalog, schema: schema))")
            }
        }
        return connection
    }

    /// Records tables that DDL created (metadata rows with timestamps) and drops rows of dropped tables.
    func syncMetadata(catalog: String, schema: String, now: Int64) {
        guard let connection = try? SQLiteConnection(path: databasePath(catalog: catalog, schema: schema), create: false) else { return }
        try? connection.execute("""
            INSERT OR IGNORE INTO _firefly_tables (table_name, created_at, updated_at)
              SELECT name, \(now), \(now) FROM sqlite_master
              WHERE type IN ('table','view') AND name NOT LIKE '\\_firefly%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\';
            DELETE FROM _firefly_tables WHERE table_name NOT IN (SELECT name FROM sqlite_master);
            DELETE FROM _firefly_columns WHERE table_name NOT IN (SELECT name FROM sqlite_master);
            """)
    }

    /// Tables of one schema, sorted by name (`name` set: only that table).
    func tables(catalog: String, schema: String, name: String? = nil) throws -> [Table] {
        let connection = try SQLiteConnection(path: databasePath(catalog: catalog, schema: schema), create: false)
        let listing = try connection.prepare("""
            SELECT m.name, m.type, m.sql, t.comment, COALESCE(t.created_at, 0), COALESCE(t.updated_at, 0)
            FROM sqlite_master m LEFT JOIN _firefly_tables t ON t.table_name = m.name
            WHERE m.type IN ('table','view') AND m.name NOT LIKE '\\_firefly%' ESCAPE '\\' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
              AND (?1 IS NULL OR lower(m.name) = lower(?1))
            ORDER BY m.name
            """)
        try listing.bind([name.map { .text($0) } ?? .null])
        var rows: [(name: String, isView: Bool, sql: String?, comment: String?, created: Int64, updated: Int64)] = []
        while try listing.step() {
            guard let tableName = listing.text(0) else { continue }
            let created = Int64(listing.text(4) ?? "0") ?? 0
            let updated = Int64(listing.text(5) ?? "0") ?? 0
            rows.append((tableName, listing.text(1) == "view", listing.text(2), listing.text(3), created, updated))
        }
        return try rows.map { row in
            let comments = try connection.prepare("SELECT column_name, comment FROM _firefly_columns WHERE table_name = ?1")
            try comments.bind([.text(row.name)])
            var commentByColumn: [String: String] = [:]
            while try comments.step() {
                if let column = comments.text(0), let comment = comments.text(1) { commentByColumn[column] = comment }
            }
            let info = try connection.prepare("SELECT name, type, \"notnull\" FROM pragma_table_info(?1)")
            try info.bind([.text(row.name)])
            var columns: [Table.Column] = []
            while try info.step() {
                let columnName = info.text(0) ?? "_c\(columns.count)"
                columns.append(Table.Column(name: columnName, declaredType: info.text(1) ?? "", position: columns.count,
                                            nullable: info.text(2) != "1", comment: commentByColumn[columnName]))
            }
            let definition = row.isView ? row.sql.flatMap { sql in
                (sql.firstRange(of: " AS ") ?? sql.firstRange(of: " as ")).map { String(sql[$0.upperBound...]) }
            } : nil
            return Table(catalog: catalog, schema: schema, name: row.name, isView: row.isView, viewDefinition: definition,
                         columns: columns, comment: row.comment, createdAt: row.created, updatedAt: row.updated)
        }
    }
}

