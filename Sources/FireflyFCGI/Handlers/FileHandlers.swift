import FireflyCore
import FireflyGateway
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials

/// Browsing the files already in a volume or an allowed DBFS folder: list a folder, download a file
/// (streamed through, never held), delete a file. The same path rules as uploads apply.
enum FileHandlers {
    static func register(in router: inout Router<Handler>, gateway: Gateway) {
        router.add("GET", "/api/files/list", list(gateway))
        router.add("GET", "/api/files", download(gateway))
        router.add("DELETE", "/api/files", delete(gateway))
    }

    /// `GET /api/files/list?path=&page_token=`: one page of a folder, folders first.
    static func list(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try GatewayHandlers.caller(context)
            let folder = try FilePath.parse(context.request.queryValue("path"), minimumVolumeDepth: 3)
            try folder.authorize(for: context, gateway: gateway, folderItself: true)
            let http = try GatewayHandlers.http(context)
            let page: FolderPage = try context.database.withConnection { connection in
                switch folder {
                case .volume(let segments, _):
                    var query: [(String, String)] = [("page_size", "500")]
                    if let token = context.request.queryValue("page_token"), !token.isEmpty { query.append(("page_token", token)) }
                    let reply = try gateway.client.call("GET", template: "GET /api/2.0/fs/directories{path}",
                                                        path: "/api/2.0/fs/directories" + FilePath.apiPath(segments), query: query,
                                                        idempotent: true, caller: caller, connection: connection, http: http)
                    return try FolderPage(volumeListing: reply.body)
                case .dbfs(let path, _):
                    let reply = try gateway.client.call("GET", template: "GET /api/2.0/dbfs/list", path: "/api/2.0/dbfs/list", query: [("path", path)],
                                                        idempotent: true, caller: caller, connection: connection, http: http)
                    return try FolderPage(dbfsListing: reply.body)
                }
            }
            return Response.rawJSON(try JSONEncoder().encode(page.sorted()).map { $0 }, headers: [("Cache-Control", "no-store")])
        }
    }

    /// `GET /api/files?path=`: the file's bytes, as an attachment.
    static func download(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try GatewayHandlers.caller(context)
            let file = try FilePath.parse(context.request.queryValue("path"), minimumVolumeDepth: 4)
            try file.authorize(for: context, gateway: gateway)
            let http = try GatewayHandlers.http(context)
            return try context.database.withConnection { connection in
                let size = try fileSize(gateway, file, caller: caller, connection: connection, http: http)
                let headers = [("Content-Type", "application/octet-stream"), ("Content-Length", String(size)),
                               ("Content-Disposition", FilePath.attachment(file.name)), ("Cache-Control", "no-store"),
                               ("X-Content-Type-Options", "nosniff")]
                return try context.stream(status: 200, headers: headers) { write in
                    var sent: Int64 = 0
                    switch file {
                    case .volume(let segments, _):
                        var failure: (any Error)?
                        // The transfer ends inside this call: `write` never outlives it.
                        let status = try withoutActuallyEscaping(write) { write in
                            try gateway.client.download(template: "GET /api/2.0/fs/files{path}", path: "/api/2.0/fs/files" + FilePath.apiPath(segments),
                                                        caller: caller, connection: connection, http: http) { piece in
                                do {
                                    try write(piece)
                                    sent += Int64(piece.count)
                                    return true
                                } catch {
                                    failure = error
                                    return false
                                }
                            }
                        }
                        if let failure { throw failure }
                        guard status == 200 else { throw APIError(status: 502, code: "databricks_unavailable", message: "The download broke off.") }
                    case .dbfs(let path, _):
                        while sent < size {
                            let piece = try dbfsRead(gateway, path: path, offset: sent, caller: caller, connection: connection, http: http)
                            guard !piece.isEmpty else { break }
                            try write(piece)
                            sent += Int64(piece.count)
                        }
                    }
                    // A file that changed size on the way is a broken download, never a short "complete" one.
                    guard sent == size else { throw APIError(status: 502, code: "databricks_unavailable", message: "The file changed during the download.") }
                }
            }
        }
    }

    /// `DELETE /api/files?path=`: removes one file (never a folder).
    static func delete(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try GatewayHandlers.caller(context)
            let file = try FilePath.parse(context.request.queryValue("path"), minimumVolumeDepth: 4)
            try file.authorize(for: context, gateway: gateway)
            let http = try GatewayHandlers.http(context)
            try context.database.withConnection { connection in
                switch file {
                case .volume(let segments, _):
                    _ = try gateway.client.call("DELETE", template: "DELETE /api/2.0/fs/files{path}", path: "/api/2.0/fs/files" + FilePath.apiPath(segments),
                                                idempotent: true, caller: caller, connection: connection, http: http)
                case .dbfs(let path, _):
                    let status = try dbfsStatus(gateway, path: path, caller: caller, connection: connection, http: http)
                    guard !status.isDirectory else { throw APIError.badRequest("Folders are not deleted here.", code: "is_a_directory") }
                    _ = try gateway.client.call("POST", template: "POST /api/2.0/dbfs/delete", path: "/api/2.0/dbfs/delete",
                                                body: Array("{\"path\":\(JSONText.string(path)),\"recursive\":false}".utf8),
                                                idempotent: true, caller: caller, connection: connection, http: http)
                }
            }
            return Response(status: 204, headers: [("Cache-Control", "no-store")])
        }
    }

    private static func fileSize(_ gateway: Gateway, _ file: FilePath, caller: Caller, connection: PostgresConnection, http: HTTPClient) throws -> Int64 {
        switch file {
        case .volume(let segments, _):
            let head = try gateway.client.call("HEAD", template: "HEAD /api/2.0/fs/files{path}", path: "/api/2.0/fs/files" + FilePath.apiPath(segments),
                                               idempotent: true, caller: caller, connection: connection, http: http)
            guard let size = head.header("Content-Length").flatMap(Int64.init) else {
                throw APIError(status: 502, code: "databricks_unavailable", message: "Databricks did not say the file's size.")
            }
            return size
        case .dbfs(let path, _):
            let status = try dbfsStatus(gateway, path: path, caller: caller, connection: connection, http: http)
            guard !status.isDirectory else { throw APIError.badRequest("This is a folder; list it instead.", code: "is_a_directory") }
            return status.size
        }
    }

    private static func dbfsStatus(_ gateway: Gateway, path: String, caller: Caller, connection: PostgresConnection,
                                   http: HTTPClient) throws -> (isDirectory: Bool, size: Int64) {
        let reply = try gateway.client.call("GET", template: "GET /api/2.0/dbfs/get-status", path: "/api/2.0/dbfs/get-status", query: [("path", path)],
                                            idempotent: true, caller: caller, connection: connection, http: http)
        let info = try JSONDecoder().decode(DBFSFileInfo.self, from: Data(reply.body))
        return (info.is_dir ?? false, info.file_size ?? 0)
    }

    /// One read of at most 1 MiB (DBFS's limit), decoded from base64.
    private static func dbfsRead(_ gateway: Gateway, path: String, offset: Int64, caller: Caller, connection: PostgresConnection,
                                 http: HTTPClient) throws -> [UInt8] {
        let reply = try gateway.client.call("GET", template: "GET /api/2.0/dbfs/read", path: "/api/2.0/dbfs/read",
                                            query: [("path", path), ("offset", String(offset)), ("length", String(1 << 20))],
                                            idempotent: true, caller: caller, connection: connection, http: http)
        let read = try JSONDecoder().decode(DBFSRead.self, from: Data(reply.body))
        guard let data = Data(base64Encoded: read.data ?? "") else {
            throw APIError(status: 502, code: "databricks_unavailable", message: "Databricks returned unreadable DBFS data.")
        }
        return Array(data)
    }

    private struct DBFSRead: Decodable {
        let bytes_read: Int64?
        let data: String?
    }
}
