/// Where in the user's SQL an error is, in Databricks' terms (`line 1, pos 7`: 1-based line,
/// 0-based column). SQLite reports a byte offset into the statement it compiled, which has its
/// three-part names rewritten, so the token found there is looked up in the original text,
/// nearest to the same place.
enum SQLErrorPosition {
    static func locate(offset: Int?, compiled: String, original: String) -> (line: Int, column: Int)? {
        guard let offset, offset >= 0, offset <= compiled.utf8.count else { return nil }
        let bytes = Array(compiled.utf8)
        func isWord(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || (byte >= 0x30 && byte <= 0x39) }
        var end = offset
        while end < bytes.count, isWord(bytes[end]) { end += 1 }
        let token = Array(bytes[offset..<max(offset, end)])
        let source = Array(original.utf8)
        var position = min(offset, source.count)
        if !token.isEmpty {
            let starts = (0...max(0, source.count - token.count)).filter { Array(source[$0..<min(source.count, $0 + token.count)]) == token }
            if let nearest = starts.min(by: { abs($0 - offset) < abs($1 - offset) }) { position = nearest }
        }
        let before = source[..<position]
        let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let column = before.count - ((before.lastIndex(of: UInt8(ascii: "\n"))).map { $0 + 1 } ?? 0)
        return (line, column)
    }
}
