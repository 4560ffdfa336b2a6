import FireflyCrypto
import FireflyJSON
import FireflySystem
import FoundationEssentials
import Hummingbird
import Synchronization

struct PresignedURL: Encodable {
    let url: String
    let part_number: Int?
    let headers: [[String: String]] = []
}
