import FoundationEssentials
import Hummingbird

struct SchemaInfo: Encodable {
    let name: String
    let catalog_name: String
    let full_name: String
    let owner = "sim-admin@example.com"
    let comment: String?
    let metastore_id: String
    let created_at: Int64 = 1_700_000_000_000
    let created_by = "sim-admin@example.com"
    let updated_at: Int64 = 1_700_000_000_000
    let updated_by = "sim-admin@example.com"
    let securable_type = "SCHEMA"
}
