import FireflySQLite

/// What a service principal's statement may touch, decided per action while SQLite compiles it:
/// every table read or written must lie in a schema the principal holds a grant on (the catalog,
/// or `catalog.schema`), and SQLite's own machinery that Databricks SQL does not have (ATTACH,
/// PRAGMA, extensions, virtual tables, its internal tables) is refused outright. Without this the
/// simulator would let SQL walk around the Unity Catalog isolation FireFly is tested against.
struct SQLGrantPolicy: Sendable {
    /// The principal's grants, lower-cased: `catalog` or `catalog.schema`.
    let grants: Set<String>
    /// The schema SQLite calls `main` on this connection.
    let defaultCatalog: String
    let defaultSchema: String

    init(grants: [String], defaultCatalog: String, defaultSchema: String) {
        self.grants = Set(grants.map { $0.lowercased() })
        self.defaultCatalog = defaultCatalog
        self.defaultSchema = defaultSchema
    }

    /// Why an action was refused.
    enum Refusal: Sendable, Equatable {
        /// Not Databricks SQL at all (ATTACH, PRAGMA, load_extension, …).
        case unsupported(String)
        /// A schema the principal holds no grant on.
        case noGrant(catalog: String, schema: String)
    }

    /// nil when `action` may go ahead.
    func refusal(of action: SQLiteAction) -> Refusal? {
        switch action.code {
        case SQLiteAction.select, SQLiteAction.transaction, SQLiteAction.savepoint, SQLiteAction.recursive:
            return nil
        case SQLiteAction.function:
            let name = (action.second ?? "").lowercased()
            return Self.refusedFunctions.contains(name) ? .unsupported(name) : nil
        case SQLiteAction.attach: return .unsupported("ATTACH")
        case SQLiteAction.detach: return .unsupported("DETACH")
        case SQLiteAction.pragma: return .unsupported("PRAGMA")
        case SQLiteAction.reindex: return .unsupported("REINDEX")
        case SQLiteAction.analyze: return .unsupported("ANALYZE")
        case SQLiteAction.createVirtualTable, SQLiteAction.dropVirtualTable: return .unsupported("VIRTUAL TABLE")
        case SQLiteAction.createTempTable, SQLiteAction.createTempView, SQLiteAction.createTempIndex, SQLiteAction.createTempTrigger,
             SQLiteAction.dropTempTable, SQLiteAction.dropTempView, SQLiteAction.dropTempIndex, SQLiteAction.dropTempTrigger:
            return nil  // private to this statement's connection
        case SQLiteAction.createTrigger, SQLiteAction.dropTrigger:
            return .unsupported("TRIGGER")
        case SQLiteAction.alterTable:
            // ALTER TABLE passes the database first and the table second.
            return schemaRefusal(database: action.first, object: action.second)
        default:
            return schemaRefusal(database: action.database, object: action.first)
        }
    }

    /// SQLite functions that reach outside the database.
    static let refusedFunctions: Set<String> = ["load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"]

    private func schemaRefusal(database: String?, object: String?) -> Refusal? {
        let lowered = (object ?? "").lowercased()
        if lowered.hasPrefix("_firefly") { return .unsupported(object ?? "") }  // the simulator's own metadata
        guard let database, database != "temp" else { return nil }
        let (catalog, schema) = location(of: database)
        return grants.contains(catalog) || grants.contains("\(catalog).\(schema)") ? nil : .noGrant(catalog: catalog, schema: schema)
    }

    /// The catalog and schema behind a SQLite database name (`main`, or an attached `catalog.schema`).
    func location(of database: String) -> (catalog: String, schema: String) {
        guard database != "main" else { return (defaultCatalog, defaultSchema) }
        let parts = database.lowercased().split(separator: ".", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : (database.lowercased(), "")
    }
}
