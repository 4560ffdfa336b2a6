import FireflyCore
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity
import FireflyJSON
import FireflySettings
import FireflyPostgres
import FoundationEssentials

/// `/api/…` calls to Databricks with the caller's organization's service principal: Unity Catalog
/// browsing (cached per organization, ETag/304), table preview, SQL statements (owned by their
/// user and organization), CSV export streamed chunk by chunk, cache revalidation.
enum GatewayHandlers {
    static func register(in router: inout Router<Handler>, gateway: Gateway) {
        router.add("GET", "/api/catalogs", catalogs(gateway))
        router.add("GET", "/api/catalogs/{catalog}/schemas", schemas(gateway))
        router.add("GET", "/api/catalogs/{catalog}/schemas/{schema}/tables", tables(gateway))
        router.add("GET", "/api/catalogs/{catalog}/schemas/{schema}/volumes", volumes(gateway))
        router.add("GET", "/api/tables/{full_name}", table(gateway))
        router.add("GET", "/api/tables/{full_name}/preview", preview(gateway))
        router.add("POST", "/api/sql/statements", execute(gateway))
        router.add("GET", "/api/sql/statements/{id}", statement(gateway))
        router.add("GET", "/api/sql/statements/{id}/result/chunks/{chunk}", chunk(gateway))
        router.add("POST", "/api/sql/statements/{id}/cancel", cancel(gateway))
        router.add("GET", "/api/sql/statements/{id}/result.csv", csv(gateway))
        router.add("POST", "/api/cache/revalidate", revalidate(gateway))
        StatementHistory.register(in: &router)
    }

    static func caller(_ context: RequestContext) throws -> Caller {
        guard let session = context.session else { throw APIError(status: 401, code: "unauthenticated", message: "Sign in first: no valid session.") }
        return Caller(userID: session.userID, organizationID: session.organizationID, requestID: context.request.requestID)
    }

    static func component(_ text: String) -> String { FormEncoding.component(text) }

    /// The thread's HTTP client for Databricks.
    static func http(_ context: RequestContext) throws -> HTTPClient {
        guard let client = context.workspaceHTTP else { throw APIError(status: 503, code: "unavailable", message: "No HTTP client.") }
        return client
    }

    /// FireFly's page parameters (`page_size`, `page_token`) carrying Databricks' `max_results` and page token.
    static func paging(_ context: RequestContext) throws -> [(String, String)] {
        var query: [(String, String)] = []
        let size = context.request.queryValue("page_size") ?? "0"
        guard let value = Int(size), (0...1000).contains(value) else { throw APIError.badRequest("page_size must be a whole number from 0 to 1000.") }
        query.append(("max_results", String(value)))
        if let token = context.request.queryValue("page_token"), !token.isEmpty {
            guard token.count <= 2048 else { throw APIError.badRequest("page_token is too long.") }
            query.append(("page_token", token))
        }
        return query
    }

    /// A cached read: the organization's cache first (no Databricks call on a hit), then the
    /// workspace; ETag/If-None-Match either way.
    static func cachedRead(_ gateway: Gateway, _ context: RequestContext, template: String, path: String, query: [(String, String)], tag: String) throws -> Response {
        let caller = try caller(context)
        let resource = path + "?" + FormEncoding.encode(query)
        let entry: MetadataCache.Entry
        if let hit = gateway.cache.get(caller.organizationID, resource) {
            entry = hit
        } else {
            let ticket = gateway.cache.ticket()
            let reply = try context.database.withConnection {
                try gateway.client.call("GET", template: template, path: path, query: query, idempotent: true, caller: caller, connection: $0, http: try http(context))
            }
            entry = gateway.cache.put(caller.organizationID, resource, tag: tag, body: reply.body, ticket: ticket)
        }
        let headers = [("ETag", entry.etag), ("Cache-Control", "private, no-cache")]
        if context.request.headers["if-none-match"] == entry.etag { return Response(status: 304, headers: headers) }
        return Response.rawJSON(entry.body, headers: headers)
    }

    static func catalogs(_ gateway: Gateway) -> Handler {
        { context in
            try cachedRead(gateway, context, template: "GET /api/2.1/unity-catalog/catalogs", path: "/api/2.1/unity-catalog/catalogs",
                           query: try paging(context), tag: "catalogs")
        }
    }

    static func schemas(_ gateway: Gateway) -> Handler {
        { context in
            let catalog = try context.parameter("catalog")
            return try cachedRead(gateway, context, template: "GET /api/2.1/unity-catalog/schemas", path: "/api/2.1/unity-catalog/schemas",
                                  query: [("catalog_name", catalog)] + (try paging(context)), tag: catalog.lowercased())
        }
    }

    static func tables(_ gateway: Gateway) -> Handler {
        { context in
            let catalog = try context.parameter("catalog"), schema = try context.parameter("schema")
            return try cachedRead(gateway, context, template: "GET /api/2.1/unity-catalog/tables", path: "/api/2.1/unity-catalog/tables",
                                  query: [("catalog_name", catalog), ("schema_name", schema)] + (try paging(context)), tag: catalog.lowercased())
        }
    }

    static func volumes(_ gateway: Gateway) -> Handler {
        { context in
            let catalog = try context.parameter("catalog"), schema = try context.parameter("schema")
            return try cachedRead(gateway, context, template: "GET /api/2.1/unity-catalog/volumes", path: "/api/2.1/unity-catalog/volumes",
                                  query: [("catalog_name", catalog), ("schema_name", schema)] + (try paging(context)), tag: catalog.lowercased())
        }
    }

    static func table(_ gateway: Gateway) -> Handler {
        { context in
            let fullName = try context.parameter("full_name")
            let catalog = fullName.split(separator: ".").first.map { String($0).lowercased() } ?? "*"
            return try cachedRead(gateway, context, template: "GET /api/2.1/unity-catalog/tables/{full_name}",
                                  path: "/api/2.1/unity-catalog/tables/" + component(fullName), query: [], tag: catalog)
        }
    }

    /// `GET /api/tables/{full_name}/preview?limit=N`: the table's real parts come from Unity Catalog,
    /// and each is backtick-quoted, so no SQL can be injected through a name.
    static func preview(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try caller(context)
            let fullName = try context.parameter("full_name")
            let limit = Int(context.request.queryValue("limit") ?? "20") ?? -1
            guard (1...1000).contains(limit) else { throw APIError.badRequest("limit must be a whole number from 1 to 1000.") }
            return try context.database.withConnection { connection in
                let info = try gateway.client.call("GET", template: "GET /api/2.1/unity-catalog/tables/{full_name}",
                                                   path: "/api/2.1/unity-catalog/tables/" + component(fullName), idempotent: true,
                                                   caller: caller, connection: connection, http: try http(context))
                guard let table = JSONValue.object(info.body), let catalog = table["catalog_name"]?.string,
                      let schema = table["schema_name"]?.string, let name = table["name"]?.string else {
                    throw APIError(status: 502, code: "databricks_unavailable", message: "Databricks described the table unexpectedly.")
                }
                let sql = "SELECT * FROM \(SQLText.identifier(catalog)).\(SQLText.identifier(schema)).\(SQLText.identifier(name)) LIMIT \(limit)"
                return try submit(gateway, context, caller: caller, connection: connection, statement: sql, warehouse: nil, catalog: nil, schema: nil,
                                  parameters: nil, source: "preview")
            }
        }
    }

    // MARK: SQL

    static let executeFields: Set<String> = ["statement", "warehouse_id", "catalog", "schema", "parameters"]

    static func execute(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try caller(context)
            let body = try context.readBody()
            guard let object = JSONValue.object(body) else { throw APIError.badRequest("The body must be a JSON object.") }
            if let unknown = object.keys.sorted().first(where: { !executeFields.contains($0) }) {
                throw APIError.badRequest("Unknown field \(unknown).")
            }
            guard let statement = object["statement"]?.string, !statement.trimmingSpaces.isEmpty else {
                throw APIError.badRequest("statement is required.")
            }
            func optional(_ key: String) throws -> String? {
                guard let value = object[key], value != .null else { return nil }
                guard let text = value.string else { throw APIError.badRequest("\(key) must be a string.") }
                return text
            }
            var parameters: [JSONValue]?
            if let given = object["parameters"], given != .null {
                guard case .array(let items) = given, items.allSatisfy({ item in
                    guard case .object(let fields) = item, fields["name"]?.string != nil else { return false }
                    return fields.keys.allSatisfy { ["name", "value", "type"].contains($0) }
                }) else { throw APIError.badRequest("parameters must be a list of {name, value, type}.") }
                parameters = items
            }
            return try context.database.withConnection { connection in
                try submit(gateway, context, caller: caller, connection: connection, statement: statement, warehouse: try optional("warehouse_id"),
                           catalog: try optional("catalog"), schema: try optional("schema"), parameters: parameters)
            }
        }
    }

    /// Runs a statement at the workspace, records its owner and the user's history, and invalidates
    /// metadata after DDL once it has succeeded (at once, or when it is seen finished later).
    static func submit(_ gateway: Gateway, _ context: RequestContext, caller: Caller, connection: PostgresConnection,
                       statement: String, warehouse: String?, catalog: String?, schema: String?, parameters: [JSONValue]?,
                       source: String = "editor") throws -> Response {
        let workspace = try gateway.client.workspace(for: caller, connection: connection)
        guard let warehouseID = warehouse ?? workspace.defaultWarehouseID else {
            throw APIError.badRequest("No warehouse_id given and your organization has no default SQL warehouse.")
        }
        var request = "{\"statement\":\(JSONText.string(statement)),\"warehouse_id\":\(JSONText.string(warehouseID))"
        // A busy worker does not wait for results: the statement id comes back at once and the
        // client polls, so long statements cannot hold the threads other users need.
        let wait = context.workerIsBusy ? 0 : gateway.settings.sqlWaitSeconds
        request += ",\"wait_timeout\":\"\(wait)s\",\"on_wait_timeout\":\"CONTINUE\",\"disposition\":\"INLINE\",\"format\":\"JSON_ARRAY\""
        if let catalog { request += ",\"catalog\":\(JSONText.string(catalog))" }
        if let schema { request += ",\"schema\":\(JSONText.string(schema))" }
        if let parameters { request += ",\"parameters\":" + JSONRewrite.encode(.array(parameters)) }
        request += "}"
        let reply = try gateway.client.call("POST", template: "POST /api/2.0/sql/statements", path: "/api/2.0/sql/statements",
                                            body: Array(request.utf8), idempotent: false, caller: caller, connection: connection, http: try http(context))
        guard let id = JSONValue.object(reply.body)?["statement_id"]?.string else {
            throw APIError(status: 502, code: "databricks_unavailable", message: "Databricks returned no statement id.")
        }
        let invalidates = SQLText.ddlCatalog(statement, defaultCatalog: catalog).map { $0 == "*" ? "*" : $0 + "\ncatalogs" }
        try connection.query("""
            INSERT INTO statements (statement_id, organization_id, user_id, statement_text, source, invalidates)
            VALUES (\(id), \(caller.organizationID), \(caller.userID), \(statement), \(source), \(invalidates))
            ON CONFLICT (statement_id) DO NOTHING
            """)
        try StatementHistory.record(id, reply: reply.body, organizationID: caller.organizationID, connection: connection)
        return Response.rawJSON(reply.body, headers: [("Cache-Control", "no-store")])
    }

    /// The statement id, when it belongs to the caller (anyone else: 404, as if it did not exist).
    static func ownedStatement(_ context: RequestContext, caller: Caller, connection: PostgresConnection) throws -> String {
        let id = try context.parameter("id")
        let owned = try connection.query("""
            SELECT 1 FROM statements WHERE statement_id = \(id) AND organization_id = \(caller.organizationID) AND user_id = \(caller.userID)
            """)
        guard owned.rows.count == 1 else { throw APIError.notFound("No statement \(id).") }
        return id
    }

    /// A call about one of the caller's statements: `suffix` follows `/api/2.0/sql/statements/{id}`.
    static func statementCall(_ gateway: Gateway, _ context: RequestContext, method: String = "GET", template: String, suffix: String = "",
                              body: [UInt8]? = nil) throws -> WorkspaceClient.Reply {
        let caller = try caller(context)
        return try context.database.withConnection { connection in
            let id = try ownedStatement(context, caller: caller, connection: connection)
            return try gateway.client.call(method, template: template, path: "/api/2.0/sql/statements/" + component(id) + suffix, body: body,
                                           idempotent: true, caller: caller, connection: connection, http: try http(context))
        }
    }

    static func statement(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try caller(context)
            let reply = try statementCall(gateway, context, template: "GET /api/2.0/sql/statements/{id}")
            try context.database.withConnection {
                try StatementHistory.record(try context.parameter("id"), reply: reply.body, organizationID: caller.organizationID, connection: $0)
            }
            return Response.rawJSON(reply.body, headers: [("Cache-Control", "no-store")])
        }
    }

    static func chunk(_ gateway: Gateway) -> Handler {
        { context in
            guard let index = Int(try context.parameter("chunk")), index >= 0 else { throw APIError.badRequest("The chunk index must be a whole number.") }
            let reply = try statementCall(gateway, context, template: "GET /api/2.0/sql/statements/{id}/result/chunks/{n}", suffix: "/result/chunks/\(index)")
            return Response.rawJSON(reply.body, headers: [("Cache-Control", "no-store")])
        }
    }

    static func cancel(_ gateway: Gateway) -> Handler {
        { context in
            _ = try statementCall(gateway, context, method: "POST", template: "POST /api/2.0/sql/statements/{id}/cancel", suffix: "/cancel", body: [])
            return Response.rawJSON(Array(#"{"cancel_requested":true}"#.utf8), headers: [("Cache-Control", "no-store")])
        }
    }

    /// `GET /api/sql/statements/{id}/result.csv`: every chunk, fetched one at a time and written out
    /// as RFC 4180 CSV as it arrives; the whole result is never held.
    static func csv(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try caller(context)
            return try context.database.withConnection { connection in
                let id = try ownedStatement(context, caller: caller, connection: connection)
                let first = try gateway.client.call("GET", template: "GET /api/2.0/sql/statements/{id}", path: "/api/2.0/sql/statements/" + component(id),
                                                    idempotent: true, caller: caller, connection: connection, http: try http(context))
                let status = try JSONDecoder().decode(StatementHead.self, from: Data(first.body))
                guard status.status.state == "SUCCEEDED", let manifest = status.manifest else {
                    throw APIError(status: 409, code: "not_ready", message: "The statement is \(status.status.state); a CSV is available once it has SUCCEEDED.")
                }
                let columns = manifest.schema.columns.map(\.name)
                return try context.stream(status: 200, headers: [
                    ("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"\(id).csv\""),
                    ("Cache-Control", "no-store"),
                ]) { write in
                    try write(Array(CSV.line(columns.map { Optional($0) }).utf8))
                    try write(CSV.rows(status.result?.data_array ?? []))
                    var index = 1
                    while index < manifest.total_chunk_count {
                        let reply = try gateway.client.call("GET", template: "GET /api/2.0/sql/statements/{id}/result/chunks/{n}",
                                                            path: "/api/2.0/sql/statements/\(component(id))/result/chunks/\(index)",
                                                            idempotent: true, caller: caller, connection: connection, http: try http(context))
                        let chunk = try JSONDecoder().decode(ChunkBody.self, from: Data(reply.body))
                        try write(CSV.rows(chunk.data_array ?? []))
                        index += 1
                    }
                }
            }
        }
    }

    static func revalidate(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try caller(context)
            try context.database.withConnection { try MetadataCache.invalidate(caller.organizationID, tags: ["*"], connection: $0) }
            return Response.rawJSON(Array(#"{"revalidated":true}"#.utf8), headers: [("Cache-Control", "no-store")])
        }
    }

    private struct StatementHead: Decodable {
        struct Status: Decodable { let state: String }
        struct Manifest: Decodable {
            struct Schema: Decodable { let columns: [Column] }
            struct Column: Decodable { let name: String }
            let schema: Schema
            let total_chunk_count: Int
        }
        struct Result: Decodable { let data_array: [[String?]]? }
        let status: Status
        let manifest: Manifest?
        let result: Result?
    }

    private struct ChunkBody: Decodable { let data_array: [[String?]]? }
}

