import CoreMetrics
import FireflyCore
import FireflyCrypto
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity
import FireflyJSON
import FireflyPostgres
import FoundationEssentials

/// Small-file uploads to Unity Catalog volumes (Files API PUT) and DBFS (create / add-block /
/// close within the 1 MB block limit), streamed from FastCGI's input to libcurl in pieces; every
/// upload is a row (user, organization, target, size, SHA-256, state, error) its owner can read.
enum UploadHandlers {
    static func register(in router: inout Router<Handler>, gateway: Gateway) {
        router.add("PUT", "/api/files", put(gateway))
        router.add("GET", "/api/uploads", list)
        router.add("GET", "/api/uploads/{id}", get)
    }

    /// A validated target: the API path to write and how.
    enum Target {
        case volume(apiPath: String, display: String)
        case dbfs(path: String, display: String)
    }

    /// `/Volumes/<catalog>/<schema>/<volume>/<path…>` or `dbfs:/<path…>` (see ``FilePath``).
    static func target(_ raw: String?) throws -> Target {
        switch try FilePath.parse(raw) {
        case .volume(let segments, let display): return .volume(apiPath: "/api/2.0/fs/files" + FilePath.apiPath(segments), display: display)
        case .dbfs(let path, let display): return .dbfs(path: path, display: display)
        }
    }

    /// The target of a new upload by the caller: DBFS paths only inside the folders allowed to the
    /// caller's organization (DBFS is one file system for every organization of a workspace).
    static func target(_ raw: String?, for context: RequestContext, gateway: Gateway) throws -> Target {
        try FilePath.parse(raw).authorize(for: context, gateway: gateway)
        return try target(raw)
    }

    /// Computes SHA-256 and counts bytes while the body streams through.
    final class Tally {
        var digest: SHA256? = SHA256()
        var bytes: Int64 = 0

        func add(_ piece: [UInt8]) {
            digest?.update(piece)
            bytes += Int64(piece.count)
        }

        func hex() -> String {
            guard let digest = digest.take() else { return "" }
            return Hex.encode(digest.finalize())
        }
    }

    static func put(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try GatewayHandlers.caller(context)
            let destination = try target(context.request.queryValue("path"), for: context, gateway: gateway)
            let overwrite = context.request.queryValue("overwrite") ?? "false"
            guard overwrite == "true" || overwrite == "false" else { throw APIError.badRequest("overwrite must be true or false.") }
            guard let length = context.request.contentLength else {
                throw APIError(status: 411, code: "length_required", message: "Content-Length is required.")
            }
            guard length <= gateway.settings.smallUploadLimitBytes else {
                throw APIError(status: 413, code: "payload_too_large",
                               message: "Files above \(gateway.settings.smallUploadLimitBytes) bytes go through the resumable uploads API (/api/uploads/).")
            }
            let http = try GatewayHandlers.http(context)
            let id = UUID().uuidString.lowercased()
            let display: String
            switch destination { case .volume(_, let text), .dbfs(_, let text): display = text }
            return try context.database.withConnection { connection in
                try connection.query("""
                    INSERT INTO uploads (id, organization_id, user_id, target, size, state)
                    VALUES (\(id)::uuid, \(caller.organizationID), \(caller.userID), \(display), \(length), 'forwarding')
                    """)
                let tally = Tally()
                do {
                    switch destination {
                    case .volume(let apiPath, _):
                        _ = try gateway.client.upload("PUT", template: "PUT /api/2.0/fs/files{path}", path: apiPath, query: [("overwrite", overwrite)],
                                                      length: Int64(length), caller: caller, connection: connection, http: http) {
                            let piece = try context.readBodyChunk(maximum: 256 * 1024)
                            tally.add(piece)
                            return piece
                        }
                    case .dbfs(let path, _):
                        try dbfsBlocks(gateway, path: path, overwrite: overwrite == "true", tally: tally, caller: caller, connection: connection, http: http) {
                            try context.readBodyChunk(maximum: 256 * 1024)
                        }
                    }
                    guard tally.bytes == Int64(length) else {
                        throw APIError.badRequest("The body ended after \(tally.bytes) of \(length) bytes.")
                    }
                } catch let error as APIError {
                    try connection.query("""
                        UPDATE uploads SET state = 'failed', error = \(error.message), received_bytes = \(tally.bytes), updated_at = now() WHERE id = \(id)::uuid
                        """)
                    UploadMetrics.entered("failed")
                    throw error
                }
                let sha = tally.hex()
                try connection.query("""
                    UPDATE uploads SET state = 'done', sha256 = \(sha), received_bytes = \(tally.bytes), forwarded_bytes = \(tally.bytes), updated_at = now()
                    WHERE id = \(id)::uuid
                    """)
                UploadMetrics.received.increment(by: Int64(clamping: tally.bytes))
                UploadMetrics.entered("forwarded")
                let body = "{\"id\":\(JSONText.string(id)),\"path\":\(JSONText.string(display)),\"sha256\":\(JSONText.string(sha)),\"size\":\(length),\"state\":\"done\"}"
                return Response.rawJSON(Array(body.utf8), status: 201, headers: [("Cache-Control", "no-store")])
            }
        }
    }

    /// DBFS: `create`, then `add-block` with at most 1 MiB each, then `close`.
    static func dbfsBlocks(_ gateway: Gateway, path: String, overwrite: Bool, tally: Tally, caller: Caller,
                           connection: PostgresConnection, http: HTTPClient, next: () throws -> [UInt8]) throws {
        let created = try gateway.client.call("POST", template: "POST /api/2.0/dbfs/create", path: "/api/2.0/dbfs/create",
                                              body: Array("{\"path\":\(JSONText.string(path)),\"overwrite\":\(overwrite)}".utf8),
                                              idempotent: false, caller: caller, connection: connection, http: http)
        guard let handle = JSONValue.object(created.body)?["handle"]?.number else {
            throw APIError(status: 502, code: "databricks_unavailable", message: "Databricks returned no DBFS handle.")
        }
        let handleText = String(Int64(handle))
        var block: [UInt8] = []
        func flush() throws {
            guard !block.isEmpty else { return }
            _ = try gateway.client.call("POST", template: "POST /api/2.0/dbfs/add-block", path: "/api/2.0/dbfs/add-block",
                                        body: Array("{\"handle\":\(handleText),\"data\":\"\(Data(block).base64EncodedString())\"}".utf8),
                                        idempotent: false, caller: caller, connection: connection, http: http)
            block.removeAll(keepingCapacity: true)
        }
        while true {
            let piece = try next()
            if piece.isEmpty { break }
            tally.add(piece)
            var rest = piece[...]
            while !rest.isEmpty {
                let room = (1 << 20) - block.count
                block += rest.prefix(room)
                rest = rest.dropFirst(room)
                if block.count == 1 << 20 { try flush() }
            }
        }
        try flush()
        _ = try gateway.client.call("POST", template: "POST /api/2.0/dbfs/close", path: "/api/2.0/dbfs/close",
                                    body: Array("{\"handle\":\(handleText)}".utf8), idempotent: false, caller: caller, connection: connection, http: http)
    }

    private static let columns = """
        id::text, target, size, received_bytes, forwarded_bytes, coalesce(sha256, '') AS sha256, state, coalesce(error, '') AS error,
        to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at
        """

    private static func json(_ row: [String?]) -> String {
        let q = JSONText.string
        return "{\"created_at\":\(q(row[8] ?? "")),\"error\":\(row[7].map { $0.isEmpty ? "null" : q($0) } ?? "null"),\"forwarded_bytes\":\(row[4] ?? "0"),"
            + "\"id\":\(q(row[0] ?? "")),\"received_bytes\":\(row[3] ?? "0"),\"sha256\":\(row[5].map { $0.isEmpty ? "null" : q($0) } ?? "null"),"
            + "\"size\":\(row[2] ?? "0"),\"state\":\(q(row[6] ?? "")),\"target\":\(q(row[1] ?? ""))}"
    }

    /// `GET /api/uploads`: the caller's 50 most recent uploads.
    static let list: Handler = { context in
        let caller = try GatewayHandlers.caller(context)
        let result = try context.database.withConnection {
            try $0.query(SQLQuery(stringLiteral: "SELECT \(columns) FROM uploads WHERE organization_id = $1 AND user_id = $2 ORDER BY created_at DESC LIMIT 50")
                .binding([String(caller.organizationID), String(caller.userID)]))
        }
        let body = "{\"uploads\":[" + result.rows.map(json).joined(separator: ",") + "]}"
        return Response.rawJSON(Array(body.utf8), headers: [("Cache-Control", "no-store")])
    }

    /// `GET /api/uploads/{id}`: one upload of the caller's (anyone else: 404).
    static let get: Handler = { context in
        let caller = try GatewayHandlers.caller(context)
        let id = try context.parameter("id")
        guard UUID(uuidString: id) != nil else { throw APIError.notFound("No upload \(id).") }
        let result = try context.database.withConnection {
            try $0.query(SQLQuery(stringLiteral: "SELECT \(columns) FROM uploads WHERE id = $1::uuid AND organization_id = $2 AND user_id = $3")
                .binding([id, String(caller.organizationID), String(caller.userID)]))
        }
        guard let row = result.rows.first else { throw APIError.notFound("No upload \(id).") }
        return Response.rawJSON(Array(json(row).utf8), headers: [("Cache-Control", "no-store")])
    }
}


extension SQLQuery {
    /// The query with `values` bound to $1, $2, … (for SQL text assembled from constants).
    func binding(_ values: [String?]) -> SQLQuery {
        var copy = self
        copy.bindings = values
        return copy
    }
}
