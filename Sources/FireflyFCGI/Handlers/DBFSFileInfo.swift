/// DBFS's `FileInfo` (`get-status`, and each entry of `list`).
struct DBFSFileInfo: Decodable {
    let path: String
    let is_dir: Bool?
    let file_size: Int64?
    let modification_time: Int64?
}
