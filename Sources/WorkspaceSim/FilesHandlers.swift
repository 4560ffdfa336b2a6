import FireflySystem
import FoundationEssentials
import Hummingbird

extension WorkspaceSimulator {
    /// Files API PUT: at most 5 GiB per request.
    static let maxFileBytes: Int64 = 5 << 30
    /// Pieces a download is streamed in.
    static let readPiece = 256 << 10

    private func principal(_ call: Call) throws -> SimConfiguration.ServicePrincipal {
        guard let principal = call.principal else { throw APIError.unauthenticated }
        return principal
    }

    /// Resolves a volume path the caller may use (a grant on the volume's catalog or schema).
    private func usableVolumePath(_ path: String, _ call: Call) throws -> FileStore.VolumePath {
        let resolved = try files.volumePath(path)
        guard canUse(catalog: resolved.catalog, schema: resolved.schema, try principal(call)) else {
            throw APIError.permissionDenied("User does not have READ VOLUME and WRITE VOLUME on Volume '\(resolved.catalog).\(resolved.schema).\(resolved.volume)'.")
        }
        return resolved
    }

    /// `PUT /api/2.0/fs/files{path}`: the body is streamed to a temporary file, then renamed.
    func putFile(_ path: String, _ call: Call) async throws -> Response {
        let target = try usableVolumePath(path, call)
        guard !target.relative.isEmpty else { throw APIError.invalidParameter("Cannot write to a volume's root: \(path)") }
        let overwrite = call.queryValue("overwrite").map { $0 != "false" } ?? true
        if let existing = FileStatus.of(target.diskPath) {
            if existing.isDirectory { throw APIError(.conflict, "ALREADY_EXISTS", "A directory exists at \(target.apiPath).") }
            if !overwrite { throw APIError(.conflict, "ALREADY_EXISTS", "The file \(target.apiPath) already exists.") }
        }
        if let declared = call.request.headers[.contentLength].flatMap({ Int64($0) }), declared > Self.maxFileBytes {
            throw APIError(.contentTooLarge, "RESOURCE_EXHAUSTED", "Files larger than 5 GiB cannot be uploaded in one request.")
        }
        let temporary = files.temporaryPath(dataDirectory: configuration.data_directory)
        let file = try StreamFile(path: temporary, mode: .createTruncate(permissions: 0o644))
        var received: Int64 = 0
        let pace = faults.current["files.put"]?.bytes_per_second.flatMap { $0 > 0 ? Double($0) : nil }
        let started = ContinuousClock.now
        do {
            for try await buffer in call.request.body {
                received += Int64(buffer.readableBytes)
                if let pace {
                    // A crawl: the body is taken no faster than the fault's rate.
                    let due = started + .milliseconds(Int64(Double(received) / pace * 1000))
                    if due > ContinuousClock.now { try await Task.sleep(until: due) }
                }
                guard received <= Self.maxFileBytes else {
                    throw APIError(.contentTooLarge, "RESOURCE_EXHAUSTED", "Files larger than 5 GiB cannot be uploaded in one request.")
                }
                try file.write(Array(buffer.readableBytesView))
            }
            file.close()
            try place(temporary, at: target, overwrite: overwrite)
        } catch {
            file.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        return Response(status: .noContent)
    }

    /// `GET`/`HEAD /api/2.0/fs/files{path}` with `Range: bytes=a-b | a- | -n`.
    func getFile(_ path: String, _ call: Call, head: Bool) throws -> Response {
        let target = try usableVolumePath(path, call)
        guard let status = FileStatus.of(target.diskPath), !status.isDirectory else {
            throw APIError.notFound("NOT_FOUND", "The file \(target.apiPath) does not exist.")
        }
        var headers: HTTPFields = [.contentType: "application/octet-stream", .lastModified: HTTPDate.format(milliseconds: status.modifiedMilliseconds),
                                   .acceptRanges: "bytes"]
        var range: ClosedRange<Int64>?
        if let header = call.request.headers[.range] {
            guard let parsed = Self.parseRange(header, size: status.size) else {
                var error = APIError(.rangeNotSatisfiable, "INVALID_PARAMETER_VALUE", "The range \(header) cannot be satisfied for a file of \(status.size) bytes.")
                error.headers[.contentRange] = "bytes */\(status.size)"
                throw error
            }
            range = parsed
            headers[.contentRange] = "bytes \(parsed.lowerBound)-\(parsed.upperBound)/\(status.size)"
        }
        let start = range?.lowerBound ?? 0
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? status.size
        headers[.contentLength] = "\(length)"
        let responseStatus: HTTPResponse.Status = range == nil ? .ok : .partialContent
        if head { return Response(status: responseStatus, headers: headers) }
        let file = try StreamFile(path: target.diskPath, mode: .read)
        let body = ResponseBody(contentLength: Int(length)) { writer in
            var offset = start, remaining = length
            while remaining > 0 {
                let piece = try file.read(at: offset, count: Int(min(Int64(Self.readPiece), remaining)))
                if piece.isEmpty { break }
                try await writer.write(ByteBuffer(bytes: piece))
                offset += Int64(piece.count)
                remaining -= Int64(piece.count)
            }
            file.close()
            try await writer.finish(nil)
        }
        return Response(status: responseStatus, headers: headers, body: body)
    }

    /// The inclusive byte range of a single-range `Range` header, nil when unsatisfiable or malformed.
    static func parseRange(_ header: String, size: Int64) -> ClosedRange<Int64>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0, size > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int64(first), start < size else { return nil }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int64(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }

    func deleteFile(_ path: String, _ call: Call) throws -> Response {
        let target = try usableVolumePath(path, call)
        guard let status = FileStatus.of(target.diskPath), !status.isDirectory else {
            throw APIError.notFound("NOT_FOUND", "The file \(target.apiPath) does not exist.")
        }
        try FileManager.default.removeItem(atPath: target.diskPath)
        return Response(status: .noContent)
    }

    func createDirectory(_ path: String, _ call: Call) throws -> Response {
        let target = try usableVolumePath(path, call)
        if let status = FileStatus.of(target.diskPath), !status.isDirectory {
            throw APIError(.conflict, "ALREADY_EXISTS", "A file exists at \(target.apiPath).")
        }
        do {
            try FileManager.default.createDirectory(atPath: target.diskPath, withIntermediateDirectories: true)
        } catch {
            throw APIError(.conflict, "ALREADY_EXISTS", "A file exists on the path \(target.apiPath).")
        }
        return Response(status: .noContent)
    }

    func headDirectory(_ path: String, _ call: Call) throws -> Response {
        let target = try usableVolumePath(path, call)
        guard FileStatus.of(target.diskPath)?.isDirectory == true else {
            throw APIError.notFound("NOT_FOUND", "The directory \(target.apiPath) does not exist.")
        }
        return Response(status: .ok)
    }

    func deleteDirectory(_ path: String, _ call: Call) throws -> Response {
        let target = try usableVolumePath(path, call)
        guard !target.relative.isEmpty else { throw APIError.invalidParameter("A volume's root cannot be deleted.") }
        guard FileStatus.of(target.diskPath)?.isDirectory == true else {
            throw APIError.notFound("NOT_FOUND", "The directory \(target.apiPath) does not exist.")
        }
        guard FileStore.list(target.diskPath).isEmpty else {
            throw APIError(.conflict, "DIRECTORY_NOT_EMPTY", "The directory \(target.apiPath) is not empty.")
        }
        try FileManager.default.removeItem(atPath: target.diskPath)
        return Response(status: .noContent)
    }

    /// `GET /api/2.0/fs/directories{path}?page_size=&page_token=` (page size ≤ 1000).
    func listDirectory(_ path: String, _ call: Call) throws -> Response {
        let target = try usableVolumePath(path, call)
        guard FileStatus.of(target.diskPath)?.isDirectory == true else {
            throw APIError.notFound("NOT_FOUND", "The directory \(target.apiPath) does not exist.")
        }
        let entries = FileStore.list(target.diskPath)
        let page = try Pagination.page(count: entries.count, size: call.queryValue("page_size"), token: call.queryValue("page_token"),
                                       kind: "dir", defaultSize: 1000, maximum: 1000, legacyAll: false)
        struct Entry: Encodable {
            let path: String
            let name: String
            let is_directory: Bool
            let file_size: Int64?
            let last_modified: Int64
        }
        struct Listing: Encodable { let contents: [Entry]; let next_page_token: String? }
        let base = target.apiPath.hasSuffix("/") ? String(target.apiPath.dropLast()) : target.apiPath
        let contents = entries[page.range].map { entry in
            Entry(path: base + "/" + entry.name + (entry.status.isDirectory ? "/" : ""), name: entry.name, is_directory: entry.status.isDirectory,
                  file_size: entry.status.isDirectory ? nil : entry.status.size, last_modified: entry.status.modifiedMilliseconds)
        }
        return JSONResponse.make(Listing(contents: contents, next_page_token: page.next))
    }
}

