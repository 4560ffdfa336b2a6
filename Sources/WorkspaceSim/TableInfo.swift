import FoundationEssentials
import Hummingbird

struct TableInfo: Encodable {
    let name: String
    let catalog_name: String
    let schema_name: String
    let full_name: String
    let table_type: String
    let data_source_format: String?
    let columns: [ColumnInfo]?
    let owner = "sim-admin@example.com"
    let comment: String?
    let created_at: Int64
    let created_by = "sim-admin@example.com"
    let updated_at: Int64
    let updated_by = "sim-admin@example.com"
    let storage_location: String?
    let table_id: String
    let metastore_id: String
    let view_definition: String?
    let properties: [String: String]?
    let securable_type = "TABLE"
}
