import FoundationEssentials
import Hummingbird

/// Unity Catalog objects as the REST API returns them.
struct CatalogInfo: Encodable {
    let name: String
    let full_name: String
    let owner = "sim-admin@example.com"
    let comment: String?
    let catalog_type = "MANAGED_CATALOG"
    let isolation_mode = "OPEN"
    let metastore_id: String
    let created_at: Int64 = 1_700_000_000_000
    let created_by = "sim-admin@example.com"
    let updated_at: Int64 = 1_700_000_000_000
    let updated_by = "sim-admin@example.com"
    let securable_type = "CATALOG"
}

extension WorkspaceSimulator {
    var metastoreID: String { "sim-metastore-\(configuration.workspace_id)" }

    /// True when the principal holds a grant on the catalog or on one of its schemas.
    func canSee(catalog: String, _ principal: SimConfiguration.ServicePrincipal) -> Bool {
        principal.grants.contains { grant in
            let lower = grant.lowercased()
            return lower == catalog || lower.hasPrefix(catalog + ".")
        }
    }

    /// True when the principal may use the schema (a grant on it or on its catalog).
    func canUse(catalog: String, schema: String, _ principal: SimConfiguration.ServicePrincipal) -> Bool {
        principal.grants.contains { $0.lowercased() == catalog || $0.lowercased() == "\(catalog).\(schema)" }
    }

    private func principal(_ call: Call) throws -> SimConfiguration.ServicePrincipal {
        guard let principal = call.principal else { throw APIError.unauthenticated }
        return principal
    }

    private func requireSchema(_ catalog: String, _ schema: String, _ principal: SimConfiguration.ServicePrincipal) throws {
        guard let schemas = warehouse.layout[catalog] else {
            throw APIError.notFound("CATALOG_DOES_NOT_EXIST", "Catalog '\(catalog)' does not exist.")
        }
        guard canSee(catalog: catalog, principal) else {
            throw APIError.permissionDenied("User does not have USE CATALOG on Catalog '\(catalog)'.")
        }
        guard schemas.contains(schema) else {
            throw APIError.notFound("SCHEMA_DOES_NOT_EXIST", "Schema '\(catalog).\(schema)' does not exist.")
        }
        guard canUse(catalog: catalog, schema: schema, principal) else {
            throw APIError.permissionDenied("User does not have USE SCHEMA on Schema '\(catalog).\(schema)'.")
        }
    }

    private func required(_ call: Call, _ name: String) throws -> String {
        guard let value = call.queryValue(name), !value.isEmpty else {
            throw APIError.invalidParameter("Missing required field: \(name)")
        }
        return value.lowercased()
    }

    func tableInfo(_ table: Warehouse.Table, withColumns: Bool = true) -> TableInfo {
        let full = "\(table.catalog).\(table.schema).\(table.name)"
        let columns = table.columns.map { column -> ColumnInfo in
            let type = ColumnType.describe(column.declaredType)
            let json = #"{"name":"\#(column.name)","type":"\#(type.text)","nullable":\#(column.nullable),"metadata":{}}"#
            return ColumnInfo(name: column.name, type_text: type.text, type_name: type.name, type_json: json,
                              type_precision: type.precision, type_scale: type.scale, position: column.position,
                              nullable: column.nullable, comment: column.comment)
        }
        return TableInfo(name: table.name, catalog_name: table.catalog, schema_name: table.schema, full_name: full,
                         table_type: table.isView ? "VIEW" : "MANAGED", data_source_format: table.isView ? nil : "DELTA",
                         columns: withColumns ? columns : nil, comment: table.comment, created_at: table.createdAt, updated_at: table.updatedAt,
                         storage_location: table.isView ? nil : "s3://sim-metastore/\(table.catalog)/\(table.schema)/\(table.name)",
                         table_id: Self.stableID(full), metastore_id: metastoreID, view_definition: table.viewDefinition,
                         properties: table.isView ? nil : ["delta.minReaderVersion": "1", "delta.minWriterVersion": "2"])
    }

    /// A UUID-shaped id that stays the same for the same name.
    static func stableID(_ name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 7
        }
        let hex = String(hash, radix: 16).leftPadded(16) + String(second, radix: 16).leftPadded(16)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }

    func listSecurables(_ kind: String, _ call: Call) throws -> Response {
        let principal = try principal(call)
        let size = call.queryValue("max_results"), token = call.queryValue("page_token")
        let defaultSize = configuration.uc_default_page_size, maximum = configuration.uc_max_page_size
        switch kind {
        case "catalogs":
            let names = warehouse.layout.keys.filter { canSee(catalog: $0, principal) }.sorted()
            let page = try Pagination.page(count: names.count, size: size, token: token, kind: kind, defaultSize: defaultSize, maximum: maximum, legacyAll: true)
            struct Listing: Encodable { let catalogs: [CatalogInfo]; let next_page_token: String? }
            return JSONResponse.make(Listing(catalogs: names[page.range].map { CatalogInfo(name: $0, full_name: $0, comment: nil, metastore_id: metastoreID) },
                                             next_page_token: page.next))
        case "schemas":
            let catalog = try required(call, "catalog_name")
            guard let schemas = warehouse.layout[catalog] else { throw APIError.notFound("CATALOG_DOES_NOT_EXIST", "Catalog '\(catalog)' does not exist.") }
            guard canSee(catalog: catalog, principal) else { throw APIError.permissionDenied("User does not have USE CATALOG on Catalog '\(catalog)'.") }
            let visible = schemas.filter { canUse(catalog: catalog, schema: $0, principal) }
            let page = try Pagination.page(count: visible.count, size: size, token: token, kind: kind, defaultSize: defaultSize, maximum: maximum, legacyAll: true)
            struct Listing: Encodable { let schemas: [SchemaInfo]; let next_page_token: String? }
            return JSONResponse.make(Listing(schemas: visible[page.range].map {
                SchemaInfo(name: $0, catalog_name: catalog, full_name: "\(catalog).\($0)", comment: nil, metastore_id: metastoreID)
            }, next_page_token: page.next))
        case "tables":
            let catalog = try required(call, "catalog_name"), schema = try required(call, "schema_name")
            try requireSchema(catalog, schema, principal)
            let tables = try warehouse.tables(catalog: catalog, schema: schema)
            let page = try Pagination.page(count: tables.count, size: size, token: token, kind: kind, defaultSize: defaultSize, maximum: maximum, legacyAll: true)
            let omitColumns = call.queryValue("omit_columns") == "true"
            struct Listing: Encodable { let tables: [TableInfo]; let next_page_token: String? }
            return JSONResponse.make(Listing(tables: tables[page.range].map { tableInfo($0, withColumns: !omitColumns) }, next_page_token: page.next))
        default:  // volumes
            let catalog = try required(call, "catalog_name"), schema = try required(call, "schema_name")
            try requireSchema(catalog, schema, principal)
            let volumes = files.volumeNames.filter { $0.hasPrefix("\(catalog).\(schema).") }
            let page = try Pagination.page(count: volumes.count, size: size, token: token, kind: kind, defaultSize: 10_000, maximum: 10_000, legacyAll: false)
            struct Listing: Encodable { let volumes: [VolumeInfo]; let next_page_token: String? }
            return JSONResponse.make(Listing(volumes: volumes[page.range].map(volumeInfo), next_page_token: page.next))
        }
    }

    func volumeInfo(_ fullName: String) -> VolumeInfo {
        let parts = fullName.split(separator: ".").map(String.init)
        return VolumeInfo(name: parts[2], catalog_name: parts[0], schema_name: parts[1], full_name: fullName,
                          volume_id: Self.stableID("volume:" + fullName), storage_location: "s3://sim-metastore/volumes/\(parts.joined(separator: "/"))",
                          metastore_id: metastoreID)
    }

    func getSecurable(_ kind: String, name: String, _ call: Call) throws -> Response {
        let principal = try principal(call)
        let parts = name.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch (kind, parts.count) {
        case ("catalogs", 1):
            guard warehouse.layout[parts[0]] != nil else { throw APIError.notFound("CATALOG_DOES_NOT_EXIST", "Catalog '\(parts[0])' does not exist.") }
            guard canSee(catalog: parts[0], principal) else { throw APIError.permissionDenied("User does not have USE CATALOG on Catalog '\(parts[0])'.") }
            return JSONResponse.make(CatalogInfo(name: parts[0], full_name: parts[0], comment: nil, metastore_id: metastoreID))
        case ("schemas", 2):
            try requireSchema(parts[0], parts[1], principal)
            return JSONResponse.make(SchemaInfo(name: parts[1], catalog_name: parts[0], full_name: name.lowercased(), comment: nil, metastore_id: metastoreID))
        case ("tables", 3):
            try requireSchema(parts[0], parts[1], principal)
            guard let table = try warehouse.tables(catalog: parts[0], schema: parts[1], name: parts[2]).first else {
                throw APIError.notFound("TABLE_DOES_NOT_EXIST", "Table '\(name)' does not exist.")
            }
            return JSONResponse.make(tableInfo(table))
        case ("volumes", 3):
            try requireSchema(parts[0], parts[1], principal)
            guard files.volumeNames.contains(name.lowercased()) else {
                throw APIError.notFound("RESOURCE_DOES_NOT_EXIST", "Volume '\(name)' does not exist.")
            }
            return JSONResponse.make(volumeInfo(name.lowercased()))
        default:
            throw APIError.invalidParameter("Invalid name '\(name)' for \(kind).")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
