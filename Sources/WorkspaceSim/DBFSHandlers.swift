import FireflyJSON
import FireflySystem
import FoundationEssentials
import Hummingbird

extension WorkspaceSimulator {
    /// DBFS blocks (`put` contents, `add-block` data) and reads are limited to 1 MB.
    static let dbfsBlockLimit = 1 << 20
    /// `read` without `length` returns 0.5 MB.
    static let dbfsDefaultRead = 1 << 19

    struct DBFSFileInfo: Encodable {
        let path: String
        let is_dir: Bool
        let file_size: Int64
        let modification_time: Int64
    }

    private static func missing(_ path: String) -> APIError {
        APIError.notFound("RESOURCE_DOES_NOT_EXIST", "No file or directory exists on path \(path).")
    }

    private static func exists(_ path: String) -> APIError {
        APIError(.badRequest, "RESOURCE_ALREADY_EXISTS", "A file or directory already exists at the input path \(path).")
    }

    private static func decodeBlock(_ text: String?, field: String) throws -> [UInt8] {
        guard let text else { throw APIError.invalidParameter("\(field) is required.") }
        guard let data = Data(base64Encoded: text) else { throw APIError.invalidParameter("\(field) is not valid base64.") }
        guard data.count <= dbfsBlockLimit else {
            throw APIError(.badRequest, "MAX_BLOCK_SIZE_EXCEEDED", "The block of data is larger than the maximum of 1 MB.")
        }
        return Array(data)
    }

    private static func parent(of disk: String) -> String {
        String(disk[..<(disk.lastIndex(of: "/") ?? disk.endIndex)])
    }

    /// One DBFS operation; GETs take query parameters, POSTs a JSON body.
    func dbfs(_ operation: String, _ call: Call) async throws -> Response {
        var body: [String: JSONValue] = [:]
        if call.request.method == .post {
            var request = call.request
            body = try JSONValue.object(from: Array(buffer: try await request.collectBody(upTo: 4 << 20)))
        }
        func path(_ key: String = "path") throws -> (api: String, disk: String) {
            let value = call.request.method == .get ? call.queryValue(key) : try body.optionalString(key)
            guard let value, !value.isEmpty else { throw APIError.invalidParameter("\(key) is required.") }
            return try files.dbfsPath(value)
        }
        switch operation {
        case "put":
            let target = try path()
            let overwrite = try body.optionalBool("overwrite") ?? false
            let bytes = try Self.decodeBlock(try body.optionalString("contents"), field: "contents")
            if let status = FileStatus.of(target.disk) {
                if status.isDirectory || !overwrite { throw Self.exists(target.api) }
            }
            try FileManager.default.createDirectory(atPath: Self.parent(of: target.disk), withIntermediateDirectories: true)
            try FireflySystem.FileDescriptors.writeFileAtomically(target.disk, bytes)
            return JSONResponse.empty
        case "create":
            let target = try path()
            let overwrite = try body.optionalBool("overwrite") ?? false
            if let status = FileStatus.of(target.disk), status.isDirectory || !overwrite { throw Self.exists(target.api) }
            let temporary = files.temporaryPath(dataDirectory: configuration.data_directory)
            _ = try StreamFile(path: temporary, mode: .createTruncate(permissions: 0o644))
            return JSONResponse.make(["handle": files.openHandle(disk: target.disk, temporary: temporary)])
        case "add-block":
            guard let handle = try body.optionalInt("handle"), let open = files.useHandle(Int64(handle)) else {
                throw APIError.notFound("RESOURCE_DOES_NOT_EXIST", "The handle does not exist or has expired.")
            }
            let bytes = try Self.decodeBlock(try body.optionalString("data"), field: "data")
            try StreamFile(path: open.temporary, mode: .append(permissions: 0o644)).write(bytes)
            return JSONResponse.empty
        case "close":
            guard let handle = try body.optionalInt("handle"), files.useHandle(Int64(handle)) != nil, let open = files.closeHandle(Int64(handle)) else {
                throw APIError.notFound("RESOURCE_DOES_NOT_EXIST", "The handle does not exist or has expired.")
            }
            try FileManager.default.createDirectory(atPath: Self.parent(of: open.path), withIntermediateDirectories: true)
            try FileDescriptors.move(open.temporary, replacing: open.path)  // atomic, like the real store
            return JSONResponse.empty
        case "get-status":
            let target = try path()
            guard let status = FileStatus.of(target.disk) else { throw Self.missing(target.api) }
            return JSONResponse.make(DBFSFileInfo(path: target.api, is_dir: status.isDirectory, file_size: status.isDirectory ? 0 : status.size,
                                                  modification_time: status.modifiedMilliseconds))
        case "list":
            let target = try path()
            guard let status = FileStatus.of(target.disk) else { throw Self.missing(target.api) }
            let base = target.api == "/" ? "" : target.api
            let entries: [DBFSFileInfo] = status.isDirectory
                ? FileStore.list(target.disk).map { DBFSFileInfo(path: base + "/" + $0.name, is_dir: $0.status.isDirectory,
                                                                  file_size: $0.status.isDirectory ? 0 : $0.status.size, modification_time: $0.status.modifiedMilliseconds) }
                : [DBFSFileInfo(path: target.api, is_dir: false, file_size: status.size, modification_time: status.modifiedMilliseconds)]
            return JSONResponse.make(["files": entries])
        case "read":
            let target = try path()
            guard let offset = Int64(call.queryValue("offset") ?? "0"), offset >= 0 else { throw APIError.invalidParameter("offset must be a non-negative integer.") }
            guard let length = Int(call.queryValue("length") ?? "\(Self.dbfsDefaultRead)"), length >= 0 else { throw APIError.invalidParameter("length must be a non-negative integer.") }
            guard length <= Self.dbfsBlockLimit else {
                throw APIError(.badRequest, "MAX_READ_SIZE_EXCEEDED", "Cannot read more than 1 MB at a time.")
            }
            guard let status = FileStatus.of(target.disk) else { throw Self.missing(target.api) }
            guard !status.isDirectory else { throw APIError.invalidParameter("Cannot read a directory: \(target.api)") }
            let bytes = try StreamFile(path: target.disk, mode: .read).read(at: offset, count: length)
            struct ReadResponse: Encodable { let bytes_read: Int; let data: String }
            return JSONResponse.make(ReadResponse(bytes_read: bytes.count, data: Data(bytes).base64EncodedString()))
        case "delete":
            let target = try path()
            guard target.api != "/" else { throw APIError.invalidParameter("The DBFS root cannot be deleted.") }
            guard let status = FileStatus.of(target.disk) else { return JSONResponse.empty }
            if status.isDirectory, try body.optionalBool("recursive") != true, !FileStore.list(target.disk).isEmpty {
                throw APIError(.badRequest, "IO_ERROR", "The directory \(target.api) is not empty; set recursive to delete it.")
            }
            try FileManager.default.removeItem(atPath: target.disk)
            return JSONResponse.empty
        case "mkdirs":
            let target = try path()
            var probe = target.disk
            while probe.count > files.dbfsRoot.count {
                if let status = FileStatus.of(probe), !status.isDirectory { throw Self.exists(target.api) }
                probe = Self.parent(of: probe)
            }
            try FileManager.default.createDirectory(atPath: target.disk, withIntermediateDirectories: true)
            return JSONResponse.empty
        default:  // move
            let source = try path("source_path"), destination = try path("destination_path")
            guard FileStatus.of(source.disk) != nil else { throw Self.missing(source.api) }
            guard FileStatus.of(destination.disk) == nil else { throw Self.exists(destination.api) }
            try FileManager.default.createDirectory(atPath: Self.parent(of: destination.disk), withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: source.disk, toPath: destination.disk)
            return JSONResponse.empty
        }
    }
}
