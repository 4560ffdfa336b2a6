import FoundationEssentials
import Hummingbird

struct VolumeInfo: Encodable {
    let name: String
    let catalog_name: String
    let schema_name: String
    let full_name: String
    let volume_type = "MANAGED"
    let volume_id: String
    let storage_location: String
    let owner = "sim-admin@example.com"
    let metastore_id: String
    let created_at: Int64 = 1_700_000_000_000
    let updated_at: Int64 = 1_700_000_000_000
}
