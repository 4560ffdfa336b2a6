import FoundationEssentials
import Hummingbird

struct ColumnInfo: Encodable {
    let name: String
    let type_text: String
    let type_name: String
    let type_json: String
    let type_precision: Int?
    let type_scale: Int?
    let position: Int
    let nullable: Bool
    let comment: String?
}
