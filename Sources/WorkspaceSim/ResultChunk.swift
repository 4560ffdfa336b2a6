import FireflyJSON
import FoundationEssentials
import Hummingbird

struct ResultChunk: Encodable {
    let chunk_index: Int
    let row_offset: Int
    let row_count: Int
    let byte_count: Int
    let data_array: [[String?]]?
    let next_chunk_index: Int?
    let next_chunk_internal_link: String?

    init(_ chunk: Statement.Chunk, statementID: String, total: Int) {
        chunk_index = chunk.index
        row_offset = chunk.rowOffset
        row_count = chunk.rows.count
        byte_count = chunk.byteCount
        data_array = chunk.rows.isEmpty ? nil : chunk.rows
        let hasNext = chunk.index + 1 < total
        next_chunk_index = hasNext ? chunk.index + 1 : nil
        next_chunk_internal_link = hasNext ? "/api/2.0/sql/statements/\(statementID)/result/chunks/\(chunk.index + 1)" : nil
    }
}
