import FireflyCore
import FoundationEssentials

/// One page of a folder listing as FireFly answers it, from the Files API's or DBFS's own shape:
/// paths usable in the next request (`/Volumes/…` or `dbfs:/…`, no trailing slash), sizes in bytes,
/// times in ISO 8601.
struct FolderPage: Codable, Equatable {
    struct Item: Codable, Equatable {
        let path: String
        let name: String
        let is_directory: Bool
        let size: Int64?
        let modified_at: String?
    }

    var items: [Item]
    var next_page_token: String?

    /// `GET /api/2.0/fs/directories{path}`: `{contents: [{path, name, is_directory, file_size, last_modified}], next_page_token}`.
    init(volumeListing body: [UInt8]) throws {
        struct Entry: Decodable { let path: String; let name: String?; let is_directory: Bool?; let file_size: Int64?; let last_modified: Int64? }
        struct Listing: Decodable { let contents: [Entry]?; let next_page_token: String? }
        let listing = try Self.decode(Listing.self, body)
        items = (listing.contents ?? []).map { entry in
            let path = entry.path.count > 1 && entry.path.hasSuffix("/") ? String(entry.path.dropLast()) : entry.path
            let directory = entry.is_directory ?? false
            return Item(path: path, name: entry.name ?? Self.lastSegment(path), is_directory: directory,
                        size: directory ? nil : entry.file_size, modified_at: entry.last_modified.map(Self.isoTime))
        }
        next_page_token = listing.next_page_token.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `GET /api/2.0/dbfs/list`: `{files: [{path, is_dir, file_size, modification_time}]}` (one page).
    init(dbfsListing body: [UInt8]) throws {
        struct Listing: Decodable { let files: [DBFSFileInfo]? }
        let listing = try Self.decode(Listing.self, body)
        items = (listing.files ?? []).map { file in
            let directory = file.is_dir ?? false
            return Item(path: "dbfs:" + file.path, name: Self.lastSegment(file.path), is_directory: directory,
                        size: directory ? nil : file.file_size, modified_at: file.modification_time.map(Self.isoTime))
        }
        next_page_token = nil
    }

    /// Folders first, then by name.
    func sorted() -> FolderPage {
        var copy = self
        copy.items.sort { ($0.is_directory ? 0 : 1, $0.name) < ($1.is_directory ? 0 : 1, $1.name) }
        return copy
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw APIError(status: 502, code: "databricks_unavailable", message: "Databricks answered a listing FireFly cannot read.")
        }
    }

    private static func lastSegment(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Milliseconds since 1970 as `2026-12-01T11:17:31Z`.
    static func isoTime(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}
