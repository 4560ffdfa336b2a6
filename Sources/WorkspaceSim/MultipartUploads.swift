import FireflyCrypto
import FireflyJSON
import FireflySystem
import FoundationEssentials
import Hummingbird
import Synchronization

/// The Files API's multipart upload, as the SDK uses it for large files: `initiate-upload` gives a
/// session token, `create-upload-part-urls` gives presigned URLs (served by the simulator itself
/// under `/sim/presigned/`, no bearer token, a per-session signature instead), each part PUT
/// returns an ETag, and `complete-upload` joins the parts in order into the file.
final class MultipartUploads: Sendable {
    struct Session: Sendable {
        let owner: String
        let target: FileStore.VolumePath
        let overwrite: Bool
        let signature: String
        let folder: String
        let startedAt: Double
        var etags: [Int: String] = [:]
    }

    private let sessions = Mutex<[String: Session]>([:])
    let temporaryRoot: String

    init(dataDirectory: String) { temporaryRoot = dataDirectory + "/tmp" }

    func start(owner: String, target: FileStore.VolumePath, overwrite: Bool) throws -> String {
        let token = SecureRandom.hex(24)
        let folder = temporaryRoot + "/multipart-" + token
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let now = Date().timeIntervalSince1970
        sessions.withLock { sessions in
            // Sessions never completed or aborted within a day are dropped with their parts.
            for (old, session) in sessions where now - session.startedAt > 86_400 {
                sessions[old] = nil
                try? FileManager.default.removeItem(atPath: session.folder)
            }
            sessions[token] = Session(owner: owner, target: target, overwrite: overwrite, signature: SecureRandom.hex(16),
                                      folder: folder, startedAt: now)
        }
        return token
    }

    func session(_ token: String) -> Session? { sessions.withLock { $0[token] } }

    func recordPart(_ token: String, part: Int, etag: String) {
        sessions.withLock { $0[token]?.etags[part] = etag }
    }

    func finish(_ token: String) -> Session? {
        guard let session = sessions.withLock({ $0.removeValue(forKey: token) }) else { return nil }
        return session
    }

    static func partPath(_ session: Session, _ part: Int) -> String { session.folder + "/part-\(part)" }
}

extension WorkspaceSimulator {
    private func ownedSession(_ token: String?, _ call: Call, path: String? = nil) throws -> (String, MultipartUploads.Session) {
        guard let token, let session = multipart.session(token), session.owner == call.principal?.client_id,
              path.map({ $0 == session.target.apiPath }) ?? true else {
            throw APIError.notFound("NOT_FOUND", "The upload session does not exist.")
        }
        return (token, session)
    }

    /// `POST /api/2.0/fs/files{path}?action=initiate-upload|complete-upload|abort-upload`.
    func fileAction(_ path: String, _ call: Call) async throws -> Response {
        guard let principal = call.principal else { throw APIError.unauthenticated }
        switch call.queryValue("action") {
        case "initiate-upload":
            let target = try files.volumePath(path)
            guard canUse(catalog: target.catalog, schema: target.schema, principal) else {
                throw APIError.permissionDenied("User does not have WRITE VOLUME on Volume '\(target.catalog).\(target.schema).\(target.volume)'.")
            }
            guard !target.relative.isEmpty else { throw APIError.invalidParameter("Cannot write to a volume's root: \(path)") }
            let overwrite = call.queryValue("overwrite").map { $0 != "false" } ?? true
            if !overwrite, FileStatus.of(target.diskPath) != nil { throw APIError(.conflict, "ALREADY_EXISTS", "The file \(target.apiPath) already exists.") }
            let token = try multipart.start(owner: principal.client_id, target: target, overwrite: overwrite)
            return JSONResponse.make(["multipart_upload": ["session_token": token]])
        case "complete-upload":
            let (token, session) = try ownedSession(call.queryValue("session_token"), call, path: try files.volumePath(path).apiPath)
            var request = call.request
            let body = try JSONValue.object(from: Array(buffer: try await request.collectBody(upTo: 1 << 20)))
            guard case .array(let items)? = body["parts"], !items.isEmpty else { throw APIError.invalidParameter("parts is required.") }
            var numbers: [Int] = []
            for item in items {
                guard case .object(let part) = item, let number = try part.optionalInt("part_number"), let etag = try part.optionalString("etag"),
                      session.etags[number] == etag else {
                    throw APIError.invalidParameter("Each part needs a part_number and the etag its upload returned.")
                }
                numbers.append(number)
            }
            guard numbers == Array(1...numbers.count) else { throw APIError.invalidParameter("Parts must be numbered 1…n without gaps.") }
            guard let finished = multipart.finish(token) else { throw APIError.notFound("NOT_FOUND", "The upload session does not exist.") }
            defer { try? FileManager.default.removeItem(atPath: finished.folder) }
            let joined = finished.folder + "/joined"
            let output = try StreamFile(path: joined, mode: .createTruncate(permissions: 0o644))
            for number in numbers {
                let part = try StreamFile(path: MultipartUploads.partPath(finished, number), mode: .read)
                var offset: Int64 = 0
                while true {
                    let piece = try part.read(at: offset, count: 1 << 20)
                    if piece.isEmpty { break }
                    try output.write(piece)
                    offset += Int64(piece.count)
                }
            }
            output.close()
            try place(joined, at: finished.target, overwrite: finished.overwrite)
            return JSONResponse.empty
        case "abort-upload":
            let (token, _) = try ownedSession(call.queryValue("session_token"), call)
            if let session = multipart.finish(token) { try? FileManager.default.removeItem(atPath: session.folder) }
            return JSONResponse.empty
        default:
            throw APIError.invalidParameter("Unknown action '\(call.queryValue("action") ?? "")'.")
        }
    }

    /// Moves a completed temporary file into place at `target`.
    func place(_ temporary: String, at target: FileStore.VolumePath, overwrite: Bool) throws {
        let parent = String(target.diskPath[..<(target.diskPath.lastIndex(of: "/") ?? target.diskPath.endIndex)])
        if let blocking = FileStatus.of(parent), !blocking.isDirectory {
            throw APIError(.conflict, "ALREADY_EXISTS", "A file exists where a parent directory of \(target.apiPath) is needed.")
        }
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        if let existing = FileStatus.of(target.diskPath) {
            guard overwrite, !existing.isDirectory else { throw APIError(.conflict, "ALREADY_EXISTS", "The file \(target.apiPath) already exists.") }
        }
        // One atomic step, as Databricks behaves: concurrent overwrites of one path each succeed,
        // the last one wins (a remove-then-move let two writers collide into 500s).
        try FileDescriptors.move(temporary, replacing: target.diskPath)
    }

    /// `POST /api/2.0/fs/create-upload-part-urls` and `create-abort-upload-url`.
    func presignedURLs(_ kind: String, _ call: Call) async throws -> Response {
        var request = call.request
        let body = try JSONValue.object(from: Array(buffer: try await request.collectBody(upTo: 64 << 10)))
        let (token, session) = try ownedSession(try body.optionalString("session_token"), call, path: try body.optionalString("path").map { try files.volumePath($0).apiPath })
        let base = baseURL(call) + "/sim/presigned/"
        if kind == "abort" {
            return JSONResponse.make(["abort_upload_url": PresignedURL(url: base + "abort/\(token)?signature=\(session.signature)", part_number: nil)])
        }
        let start = try body.optionalInt("start_part_number") ?? 1, count = try body.optionalInt("count") ?? 1
        guard start >= 1, (1...1000).contains(count), start + count - 1 <= 10_000 else {
            throw APIError.invalidParameter("start_part_number must be ≥ 1 and count between 1 and 1000 (at most 10000 parts).")
        }
        let urls = (start..<(start + count)).map { PresignedURL(url: base + "upload/\(token)/\($0)?signature=\(session.signature)", part_number: $0) }
        return JSONResponse.make(["upload_part_urls": urls])
    }

    /// The presigned part upload (`PUT`) and abort (`DELETE`), authorised by the session's signature.
    func presignedTransfer(_ segments: [String], _ call: Call) async throws -> Response {
        guard segments.count >= 2, let session = multipart.session(segments[1]), call.queryValue("signature") == session.signature else {
            return Response(status: .forbidden, headers: [.contentType: "application/xml"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "<Error><Code>AccessDenied</Code></Error>")))
        }
        let token = segments[1]
        if segments[0] == "abort" {
            if let finished = multipart.finish(token) { try? FileManager.default.removeItem(atPath: finished.folder) }
            return Response(status: .ok)
        }
        guard segments.count == 3, let part = Int(segments[2]), part >= 1, call.request.method == .put else {
            throw APIError.invalidParameter("Bad presigned upload URL.")
        }
        let file = try StreamFile(path: MultipartUploads.partPath(session, part), mode: .createTruncate(permissions: 0o644))
        var received: Int64 = 0
        for try await buffer in call.request.body {
            received += Int64(buffer.readableBytes)
            guard received <= Self.maxFileBytes else { throw APIError(.contentTooLarge, "RESOURCE_EXHAUSTED", "Part too large.") }
            try file.write(Array(buffer.readableBytesView))
        }
        file.close()
        let etag = "\"\(SecureRandom.hex(16))\""
        multipart.recordPart(token, part: part, etag: etag)
        return Response(status: .ok, headers: [.eTag: etag])
    }
}

