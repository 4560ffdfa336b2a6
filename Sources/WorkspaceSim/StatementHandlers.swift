import FireflyJSON
import FoundationEssentials
import Hummingbird

/// The JSON of a statement (`StatementResponse`) and of a result chunk.
struct StatementResponse: Encodable {
    struct Status: Encodable {
        struct Failure: Encodable { let error_code: String; let message: String }
        let state: String
        let error: Failure?
        let sql_state: String?
    }
    struct Manifest: Encodable {
        struct Schema: Encodable { let column_count: Int; let columns: [Statement.Column] }
        struct ChunkInfo: Encodable { let chunk_index: Int; let row_offset: Int; let row_count: Int; let byte_count: Int }
        let format = "JSON_ARRAY"
        let schema: Schema
        let total_chunk_count: Int
        let total_row_count: Int
        let truncated: Bool
        let chunks: [ChunkInfo]
    }
    let statement_id: String
    let status: Status
    let manifest: Manifest?
    let result: ResultChunk?
}

extension WorkspaceSimulator {
    func statementJSON(_ statement: Statement) -> StatementResponse {
        let snapshot = statement.snapshot()
        let failure = snapshot.failure.map { StatementResponse.Status.Failure(error_code: $0.errorCode, message: $0.message) }
        var manifest: StatementResponse.Manifest?
        var first: ResultChunk?
        if let result = snapshot.result {
            manifest = .init(schema: .init(column_count: result.columns.count, columns: result.columns),
                             total_chunk_count: result.chunks.count, total_row_count: result.totalRows, truncated: result.truncated,
                             chunks: result.chunks.map { .init(chunk_index: $0.index, row_offset: $0.rowOffset, row_count: $0.rows.count, byte_count: $0.byteCount) })
            first = result.chunks.first.map { ResultChunk($0, statementID: statement.id, total: result.chunks.count) }
        }
        return StatementResponse(statement_id: statement.id,
                                 status: .init(state: snapshot.state.rawValue, error: failure, sql_state: snapshot.failure?.sqlState),
                                 manifest: manifest, result: first)
    }

    func executeStatement(_ call: Call) async throws -> Response {
        guard let principal = call.principal else { throw APIError.unauthenticated }
        var request = call.request
        let body = try await request.collectBody(upTo: 17 << 20)
        let parsed = try ExecuteStatementRequest(json: JSONValue.object(from: Array(buffer: body)))
        guard configuration.warehouses.contains(parsed.warehouseID) else {
            throw APIError.notFound("RESOURCE_DOES_NOT_EXIST", "Warehouse \(parsed.warehouseID) does not exist.")
        }
        let statement = statements.submit(parsed, owner: principal.client_id, grants: principal.grants)
        if parsed.waitSeconds > 0 {
            let deadline = ContinuousClock.now + .seconds(parsed.waitSeconds)
            var pause = Duration.milliseconds(1)
            while !statement.isTerminal, ContinuousClock.now < deadline {
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(20))
            }
            if !statement.isTerminal, parsed.cancelOnTimeout {
                statement.cancel()
                while !statement.isTerminal { try? await Task.sleep(for: .milliseconds(5)) }
            }
        }
        return JSONResponse.make(statementJSON(statement))
    }

    private func ownedStatement(_ id: String, _ call: Call) throws -> Statement {
        guard let principal = call.principal, let statement = statements.statement(id, owner: principal.client_id) else {
            throw APIError.notFound("NOT_FOUND", "The statement \(id) was not found.")
        }
        return statement
    }

    func getStatement(_ id: String, _ call: Call) throws -> Response {
        JSONResponse.make(statementJSON(try ownedStatement(id, call)))
    }

    func cancelStatement(_ id: String, _ call: Call) throws -> Response {
        try ownedStatement(id, call).cancel()
        return JSONResponse.empty
    }

    func getChunk(_ id: String, _ index: String, _ call: Call) throws -> Response {
        let statement = try ownedStatement(id, call)
        let snapshot = statement.snapshot()
        guard snapshot.state == .SUCCEEDED, let result = snapshot.result else {
            throw APIError(.badRequest, "INVALID_STATE", "Statement \(id) is in state \(snapshot.state.rawValue); results are available only after SUCCEEDED.")
        }
        guard let chunkIndex = Int(index), result.chunks.indices.contains(chunkIndex) else {
            throw APIError.invalidParameter("Chunk index \(index) is out of range: the result has \(result.chunks.count) chunks.")
        }
        return JSONResponse.make(ResultChunk(result.chunks[chunkIndex], statementID: id, total: result.chunks.count))
    }
}
