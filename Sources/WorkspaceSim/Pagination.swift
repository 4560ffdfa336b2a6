import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import Hummingbird
import NIOFoundationEssentialsCompat

/// Page tokens are opaque to clients: base64url of `kind:offset`.
enum Pagination {
    struct Page { let range: Range<Int>; let next: String? }

    /// The slice for a `max_results`/`page_size` and `page_token`, Databricks' rules: absent size =
    /// everything (legacy) or the default, 0 = the default, > 0 capped at `maximum`, < 0 rejected.
    static func page(count: Int, size: String?, token: String?, kind: String, defaultSize: Int, maximum: Int, legacyAll: Bool) throws -> Page {
        var pageSize: Int
        if let size {
            guard let value = Int(size) else { throw APIError.invalidParameter("max_results must be an integer, got '\(size)'.") }
            guard value >= 0 else { throw APIError.invalidParameter("max_results must be non-negative, got \(value).") }
            pageSize = value == 0 ? defaultSize : min(value, maximum)
        } else {
            pageSize = legacyAll ? Int.max : defaultSize
        }
        var offset = 0
        if let token, !token.isEmpty {
            guard let bytes = Base64URL.decode(token), let text = String(validating: bytes, as: UTF8.self),
                  text.hasPrefix(kind + ":"), let value = Int(text.dropFirst(kind.count + 1)), value >= 0 else {
                throw APIError.invalidParameter("Invalid page token.")
            }
            offset = value
            if pageSize == Int.max { pageSize = defaultSize }
        }
        let start = min(offset, count)
        let end = pageSize >= count - start ? count : start + pageSize
        let next = end < count ? Base64URL.encode(Array("\(kind):\(end)".utf8)) : nil
        return Page(range: start..<end, next: next)
    }
}
