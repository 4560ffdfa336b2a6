import FireflyCore
import FireflyGateway
import FireflyIdentity
import FireflyJSON
import FireflyPostgres
import FoundationEssentials

/// Each user's SQL history (the `statements` rows: text, source, outcome), and the one place that
/// records a statement's end: when FireFly first sees it finished, its state, row count and error
/// are written, and DDL that succeeded invalidates the organization's cached metadata then — not
/// when it was submitted, while it might still fail or not have happened yet.
enum StatementHistory {
    static let terminalStates: Set<String> = ["SUCCEEDED", "FAILED", "CANCELED", "CLOSED"]

    /// Records what a Databricks answer about statement `id` says, once it has ended.
    static func record(_ id: String, reply: [UInt8], organizationID: Int64, connection: PostgresConnection) throws {
        guard let body = JSONValue.object(reply), case .object(let status)? = body["status"], let state = status["state"]?.string,
              terminalStates.contains(state) else { return }
        var rows: Int64?
        if case .object(let manifest)? = body["manifest"] { rows = manifest["total_row_count"]?.number.map { Int64($0) } }
        var error: String?
        if case .object(let failure)? = status["error"] { error = failure["message"]?.string.map { String($0.prefix(2000)) } }
        let ended = try connection.query("""
            UPDATE statements SET state = \(state), finished_at = now(), row_count = \(rows), error = \(error)
            WHERE statement_id = \(id) AND finished_at IS NULL
            RETURNING invalidates
            """)
        guard state == "SUCCEEDED", let tags = ended.scalar, !tags.isEmpty else { return }
        try MetadataCache.invalidate(organizationID, tags: tags.split(separator: "\n").map(String.init), connection: connection)
    }

    static func register(in router: inout Router<Handler>) {
        router.add("GET", "/api/sql/history", list)
    }

    /// `GET /api/sql/history?q=&limit=&before=`: the caller's statements from the editor, newest
    /// first; `q` matches the text (case-insensitive), `before` pages on (the last item's `id`).
    static let list: Handler = { context in
        let caller = try GatewayHandlers.caller(context)
        let limit = Int(context.request.queryValue("limit") ?? "50") ?? -1
        guard (1...200).contains(limit) else { throw APIError.badRequest("limit must be a whole number from 1 to 200.") }
        var before: Int64?
        if let text = context.request.queryValue("before"), !text.isEmpty {
            guard let value = Int64(text), value > 0 else { throw APIError.badRequest("before must be an id from this list.") }
            before = value
        }
        let search = context.request.queryValue("q") ?? ""
        guard search.count <= 500 else { throw APIError.badRequest("q is at most 500 characters.") }
        let pattern = "%" + search.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%"
        let result = try context.database.withConnection { connection in
            try connection.query("""
                SELECT id, statement_id, statement_text, state, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started,
                       to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished,
                       (extract(epoch FROM finished_at - created_at) * 1000)::bigint AS duration, row_count, error
                FROM statements
                WHERE organization_id = \(caller.organizationID) AND user_id = \(caller.userID) AND source = 'editor'
                  AND (\(before)::bigint IS NULL OR id < \(before)::bigint) AND statement_text ILIKE \(pattern)
                ORDER BY id DESC LIMIT \(limit)
                """)
        }
        let q = JSONText.string, optional = JSONText.optional
        let items = result.rows.indices.map { index -> String in
            func value(_ column: String) -> String? { result.value(column, row: index) }
            return "{\"duration_ms\":\(value("duration") ?? "null"),\"error\":\(optional(value("error"))),\"finished_at\":\(optional(value("finished"))),"
                + "\"id\":\(value("id") ?? "0"),\"row_count\":\(value("row_count") ?? "null"),\"started_at\":\(q(value("started") ?? "")),"
                + "\"state\":\(q(value("state") ?? "")),\"statement\":\(q(value("statement_text") ?? "")),\"statement_id\":\(q(value("statement_id") ?? ""))}"
        }
        let next = result.rows.count == limit ? result.value("id", row: result.rows.count - 1) ?? "null" : "null"
        let body = "{\"items\":[" + items.joined(separator: ",") + "],\"next_before\":\(next)}"
        return Response.rawJSON(Array(body.utf8), headers: [("Cache-Control", "no-store")])
    }
}
