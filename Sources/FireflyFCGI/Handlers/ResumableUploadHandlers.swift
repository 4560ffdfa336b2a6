import CoreMetrics
import FireflyCore
import FireflyCrypto
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity
import FireflyPostgres
import FireflySystem
import FoundationEssentials
import Logging

/// Resumable uploads, tus 1.0 (core, creation, termination, checksum with sha256, expiration) at
/// `/api/uploads/`. Chunks are staged under `FIREFLY_UPLOAD_DIRECTORY` (the database row holds the
/// confirmed offset, so a crash or pool restart resumes where the last confirmed chunk ended).
/// The last chunk queues the upload; an ``UploadForwarder`` sends it to Databricks outside the
/// client's request. A failed forward keeps the staged copy for `POST …/retry`; `HEAD` tells a
/// tus client when an upload failed (410), and `GET /api/uploads/{id}` says why.
enum ResumableUploadHandlers {
    static let tusHeaders: [(String, String)] = [("Tus-Resumable", "1.0.0"), ("Cache-Control", "no-store")]

    static func register(in router: inout Router<Handler>, gateway: Gateway, followers: UploadFollowers?) {
        // tus clients are often configured with the endpoint's trailing slash: both forms answer.
        for endpoint in ["/api/uploads", "/api/uploads/"] {
            router.add("OPTIONS", endpoint, options(gateway))
            router.add("POST", endpoint, create(gateway, followers: followers))
        }
        router.add("HEAD", "/api/uploads/{id}", head)
        router.add("PATCH", "/api/uploads/{id}", patch(gateway))
        router.add("DELETE", "/api/uploads/{id}", cancel(gateway))
        router.add("POST", "/api/uploads/{id}/retry", retry)
    }

    static func options(_ gateway: Gateway) -> Handler {
        { _ in
            Response(status: 204, headers: tusHeaders + [("Tus-Version", "1.0.0"), ("Tus-Extension", "creation,termination,checksum,expiration"),
                                                          ("Tus-Checksum-Algorithm", "sha256"), ("Tus-Max-Size", "\(gateway.settings.uploadMaxBytes)")])
        }
    }

    static func requireTus(_ context: RequestContext) throws {
        guard context.request.headers["tus-resumable"] == "1.0.0" else {
            throw APIError(status: 412, code: "tus_version", message: "Tus-Resumable: 1.0.0 is required.", headers: [("Tus-Version", "1.0.0")])
        }
    }

    static func stagedPath(_ gateway: Gateway, _ id: String) -> String { gateway.settings.uploadDirectory + "/" + id + ".part" }

    /// `POST /api/uploads` with `Upload-Length` and `Upload-Metadata` (`path`, optional `filename`, `overwrite`).
    static func create(_ gateway: Gateway, followers: UploadFollowers?) -> Handler {
        { context in
            try requireTus(context)
            let caller = try GatewayHandlers.caller(context)
            guard let length = TusHeaders.length(context.request.headers["upload-length"]) else {
                throw APIError.badRequest("Upload-Length is required (deferred lengths are not supported).")
            }
            guard length <= Int64(gateway.settings.uploadMaxBytes) else {
                throw APIError(status: 413, code: "payload_too_large", message: "Uploads are limited to \(gateway.settings.uploadMaxBytes) bytes.", headers: tusHeaders)
            }
            let meta = TusHeaders.metadata(context.request.headers["upload-metadata"])
            let target = try UploadHandlers.target(meta["path"], for: context, gateway: gateway)
            let display: String
            switch target { case .volume(_, let text), .dbfs(_, let text): display = text }
            let id = UUID().uuidString.lowercased()
            let settings = gateway.settings
            return try context.database.withConnection { connection in
                try sweepExpired(gateway, connection: connection)
                try FileManager.default.createDirectory(atPath: settings.uploadDirectory, withIntermediateDirectories: true)
                try requireStagingRoom(for: length, gateway, context, connection: connection)
                _ = try StreamFile(path: stagedPath(gateway, id), mode: .createTruncate(permissions: 0o600))
                try StreamFile.syncDirectory(settings.uploadDirectory)
                // The declared length is reserved at once; the user's reservations are summed under
                // a per-user lock, so concurrent creations cannot both slip under the quota.
                let reserved = try connection.transaction { () -> Bool in
                    try connection.query("SELECT pg_advisory_xact_lock(\(Self.quotaLockNamespace), \(Int(truncatingIfNeeded: caller.userID))::int)")
                    let inserted = try connection.query("""
                        INSERT INTO uploads (id, organization_id, user_id, target, size, state, options)
                        SELECT \(id)::uuid, \(caller.organizationID), \(caller.userID), \(display), \(length), 'receiving', \(options(meta))
                        WHERE (SELECT coalesce(sum(size), 0) FROM uploads WHERE user_id = \(caller.userID) AND state IN ('receiving', 'forwarding', 'failed'))
                              + \(length) <= \(Int64(settings.uploadUserQuotaBytes))
                        """)
                    return inserted.affectedRows == 1
                }
                if reserved { UploadMetrics.entered("created") }
                guard reserved else {
                    try? FileManager.default.removeItem(atPath: stagedPath(gateway, id))
                    throw APIError(status: 413, code: "quota_exceeded",
                                   message: "Your unfinished uploads would exceed the quota of \(settings.uploadUserQuotaBytes) bytes. Cancel one, or wait for one to finish.",
                                   headers: tusHeaders)
                }
                // A large upload to a volume is forwarded while its chunks arrive.
                if case .volume = target { followers?.start(id, size: length) }
                let expires = HTTPDate.format(seconds: Int64(Date().timeIntervalSince1970) + Int64(settings.uploadExpirySeconds))
                return Response(status: 201, headers: tusHeaders + [("Location", "/api/uploads/\(id)"), ("Upload-Expires", expires)])
            }
        }
    }

    /// The caller's upload row: (received, size, state, target, overwrite flag); 404 for anyone else.
    /// Upload options kept with the row until forwarding (`overwrite`, `verify` from Upload-Metadata).
    static func options(_ meta: [String: String]) -> String {
        [meta["overwrite"] == "true" ? "overwrite" : nil, meta["verify"] == "sha256" ? "verify" : nil].compactMap { $0 }.joined(separator: ",")
    }

    /// With `locking`, the row stays locked until the caller's transaction ends; when another
    /// request holds it, the answer is 409 at once (one writer per upload).
    typealias UploadRow = (id: String, received: Int64, size: Int64, state: String, target: String, overwrite: Bool, verifyHash: Bool)

    /// What one PATCH did to its upload.
    enum ChunkOutcome {
        case appended(UploadRow, received: Int64)
        case stagingLost
    }

    static func owned(_ context: RequestContext, connection: PostgresConnection, locking: Bool = false) throws -> UploadRow {
        let caller = try GatewayHandlers.caller(context)
        let id = try context.parameter("id")
        guard UUID(uuidString: id) != nil else { throw APIError.notFound("No upload \(id).") }
        let row: QueryResult
        do {
            var query: SQLQuery = """
                SELECT received_bytes, size, state, target, options FROM uploads
                WHERE id = \(id)::uuid AND organization_id = \(caller.organizationID) AND user_id = \(caller.userID)
                """
            if locking {
                // One writer per upload: a second PATCH waits at most a second for the row (an upload
                // follower's progress update holds it for a moment), then gets 409.
                try connection.query("SELECT set_config('lock_timeout', '1000', true)")
                query.sql += " FOR UPDATE"
            }
            row = try connection.query(query)
        } catch let error as PostgresError where error.sqlState == "55P03" {
            throw APIError(status: 409, code: "upload_busy", message: "Another request is writing to this upload right now; ask for its offset and go on from there.",
                           headers: tusHeaders)
        }
        guard row.rows.count == 1, let received = row.value("received_bytes").flatMap(Int64.init), let size = row.value("size").flatMap(Int64.init),
              let state = row.value("state"), let target = row.value("target") else { throw APIError.notFound("No upload \(id).") }
        let flags = (row.value("options") ?? "").split(separator: ",").map(String.init)
        return (id, received, size, state, target, flags.contains("overwrite"), flags.contains("verify"))
    }

    /// `HEAD /api/uploads/{id}`: the confirmed offset while receiving, queued or done; 410 once the
    /// upload failed, was cancelled or expired, so a tus client never takes it for a success.
    static let head: Handler = { context in
        try requireTus(context)
        let upload = try context.database.withConnection { try owned(context, connection: $0) }
        let state = ("Upload-State", upload.state)
        guard ["receiving", "forwarding", "done"].contains(upload.state) else {
            return Response(status: 410, headers: tusHeaders + [state])
        }
        return Response(status: 200, headers: tusHeaders + [("Upload-Offset", "\(upload.received)"), ("Upload-Length", "\(upload.size)"), state])
    }

    /// `POST /api/uploads/{id}/retry`: forwards a failed upload again from its staged copy.
    static let retry: Handler = { context in
        let caller = try GatewayHandlers.caller(context)
        let id = try context.parameter("id")
        guard UUID(uuidString: id) != nil else { throw APIError.notFound("No upload \(id).") }
        let queued = try context.database.withConnection { connection in
            try connection.query("""
                UPDATE uploads SET state = 'forwarding', error = NULL, lease_until = NULL, attempts = 0, forwarded_bytes = 0, updated_at = now()
                WHERE id = \(id)::uuid AND organization_id = \(caller.organizationID) AND user_id = \(caller.userID)
                  AND state = 'failed' AND received_bytes = size
                RETURNING id
                """)
        }
        guard queued.rows.count == 1 else {
            throw APIError(status: 409, code: "not_retryable", message: "Only a failed upload whose bytes all arrived can be forwarded again.")
        }
        return Response.rawJSON(Array("{\"state\":\"forwarding\"}".utf8), status: 202, headers: [("Cache-Control", "no-store")])
    }

    /// `PATCH /api/uploads/{id}`: appends a chunk at `Upload-Offset` (checked against `Upload-Checksum:
    /// sha256 <base64>` when given); the last chunk triggers the forward.
    static func patch(_ gateway: Gateway) -> Handler {
        { context in
            try requireTus(context)
            guard context.request.headers["content-type"] == "application/offset+octet-stream" else {
                throw APIError(status: 415, code: "unsupported_media_type", message: "Content-Type must be application/offset+octet-stream.")
            }
            guard let offset = TusHeaders.length(context.request.headers["upload-offset"]) else { throw APIError.badRequest("Upload-Offset is required.") }
            return try context.database.withConnection { connection in
                // The row stays locked while this chunk is written: two PATCHes (a client retrying
                // after a timeout) can never both append; the second one gets 409.
                let outcome = try connection.transaction { try appendChunk(gateway, context, offset: offset, connection: connection) }
                guard case .appended(let upload, let received) = outcome else {
                    throw APIError(status: 410, code: "staging_lost", message: "The staged data of this upload was lost; start the upload again.", headers: tusHeaders)
                }
                UploadMetrics.received.increment(by: Int64(clamping: received - offset))
                if received == upload.size { UploadMetrics.entered("complete") }
                return Response(status: 204, headers: tusHeaders + [("Upload-Offset", "\(received)")])
            }
        }
    }

    /// Appends the request's body at `offset` to the staged copy (inside the caller's transaction,
    /// which holds the row lock) and confirms the new offset.
    static func appendChunk(_ gateway: Gateway, _ context: RequestContext, offset: Int64, connection: PostgresConnection) throws -> ChunkOutcome {
        let upload = try owned(context, connection: connection, locking: true)
        guard upload.state == "receiving" else {
            throw APIError(status: 409, code: "not_receiving", message: "This upload is \(upload.state); it takes no more data.", headers: tusHeaders)
        }
        guard offset == upload.received else {
            throw APIError(status: 409, code: "offset_mismatch", message: "Upload-Offset must be \(upload.received).",
                           headers: tusHeaders + [("Upload-Offset", "\(upload.received)")])
        }
        let file = try StagingFile(path: stagedPath(gateway, upload.id), mode: .append(permissions: 0o600))
        guard try file.size() >= upload.received else {
            // The staged copy lost confirmed bytes (a crash before they reached the disk, or it was
            // removed): never zero-fill it; this upload cannot be completed.
            try connection.query("""
                UPDATE uploads SET state = 'failed', error = 'The staged data was lost; start the upload again.', updated_at = now()
                WHERE id = \(upload.id)::uuid
                """)
            return .stagingLost
        }
        try file.truncate(to: upload.received)  // anything past the confirmed offset is an unconfirmed leftover
        var chunkDigest = SHA256()
        var written: Int64 = 0
        do {
            while true {
                let piece = try context.readBodyChunk(maximum: 256 * 1024)
                if piece.isEmpty { break }
                guard upload.received + written + Int64(piece.count) <= upload.size else {
                    try file.truncate(to: upload.received)
                    throw APIError(status: 413, code: "payload_too_large", message: "The chunk goes past Upload-Length.", headers: tusHeaders)
                }
                chunkDigest.update(piece)
                try file.write(piece)
                written += Int64(piece.count)
            }
            if let checksum = context.request.headers["upload-checksum"] {
                guard checksum.split(separator: " ").first == "sha256" else {
                    try file.truncate(to: upload.received)
                    throw APIError(status: 400, code: "checksum_algorithm", message: "Only sha256 checksums are supported.", headers: tusHeaders)
                }
                guard TusHeaders.sha256Checksum(checksum) == chunkDigest.finalize() else {
                    try file.truncate(to: upload.received)
                    throw APIError(status: 460, code: "checksum_mismatch", message: "The chunk does not match its Upload-Checksum; send it again.", headers: tusHeaders)
                }
            }
            try file.sync()
        } catch let error as SystemError where error.isOutOfSpace {
            // The staging disk filled up: the chunk's bytes go (nothing past the confirmed offset
            // stays), the upload keeps its offset and goes on from there once there is room.
            try? file.truncate(to: upload.received)
            context.logger.warning("upload staging is full", metadata: ["directory": "\(gateway.settings.uploadDirectory)", "upload.id": "\(upload.id)"])
            throw stagingFull(offset: upload.received)
        }
        file.close()
        let received = upload.received + written
        // The last chunk queues the upload for a forwarder (outside this request).
        let moved = try connection.query("""
            UPDATE uploads SET received_bytes = \(received), updated_at = now(),
                               state = CASE WHEN \(received) = size THEN 'forwarding' ELSE state END
            WHERE id = \(upload.id)::uuid AND received_bytes = \(upload.received)
            """)
        guard moved.affectedRows == 1 else { throw APIError(status: 409, code: "upload_busy", message: "The upload moved on meanwhile.", headers: tusHeaders) }
        return .appended(upload, received: received)
    }

    /// Refuses a new upload the staging disk has no room for: its free space, less what the uploads
    /// still receiving have yet to write, must hold `length` bytes.
    static func requireStagingRoom(for length: Int64, _ gateway: Gateway, _ context: RequestContext, connection: PostgresConnection) throws {
        let pending = try connection.query("SELECT coalesce(sum(size - received_bytes), 0)::int8 AS bytes FROM uploads WHERE state = 'receiving'")
            .value("bytes").flatMap(Int64.init) ?? 0
        let available = try FileSystemSpace.availableBytes(at: gateway.settings.uploadDirectory)
        guard available - pending >= length else {
            context.logger.warning("upload staging has no room for a new upload", metadata: [
                "directory": "\(gateway.settings.uploadDirectory)", "available_bytes": "\(available)", "pending_bytes": "\(pending)", "length": "\(length)",
            ])
            throw stagingFull(offset: nil)
        }
    }

    /// 507: the staging disk is full; the upload (if any) keeps `offset` and can go on later.
    static func stagingFull(offset: Int64?) -> APIError {
        APIError(status: 507, code: "staging_full",
                 message: "FireFly's upload storage is full right now. Try again in a few minutes; if it persists, tell your administrator.",
                 headers: tusHeaders + [("Retry-After", "60")] + (offset.map { [("Upload-Offset", "\($0)")] } ?? []))
    }

    /// Advisory-lock namespace of the per-user quota check.
    static let quotaLockNamespace = 7_345_002

    /// `DELETE /api/uploads/{id}`: stops an unfinished (or failed) upload, removes its staged data
    /// and releases its quota.
    static func cancel(_ gateway: Gateway) -> Handler {
        { context in
            try requireTus(context)
            return try context.database.withConnection { connection in
                let upload = try owned(context, connection: connection)
                guard upload.state == "receiving" || upload.state == "failed" else {
                    throw APIError(status: 409, code: "not_cancellable", message: "This upload is \(upload.state); it cannot be cancelled.", headers: tusHeaders)
                }
                let cancelled = try connection.query("""
                    UPDATE uploads SET state = 'cancelled', error = 'cancelled', updated_at = now()
                    WHERE id = \(upload.id)::uuid AND state IN ('receiving', 'failed')
                    """)
                guard cancelled.affectedRows == 1 else {
                    throw APIError(status: 409, code: "not_cancellable", message: "This upload changed state meanwhile; it cannot be cancelled.", headers: tusHeaders)
                }
                try? FileManager.default.removeItem(atPath: stagedPath(gateway, upload.id))
                return Response(status: 204, headers: tusHeaders)
            }
        }
    }

    /// Uploads left alone past the expiry (no chunk received, or failed and not retried, for that
    /// long since their last change): marked expired, their staged data removed, their quota released.
    static func sweepExpired(_ gateway: Gateway, connection: PostgresConnection) throws {
        let expired = try connection.query("""
            UPDATE uploads SET state = 'expired', error = coalesce(error, 'expired'), updated_at = now()
            WHERE state IN ('receiving', 'failed') AND updated_at < now() - make_interval(secs => \(gateway.settings.uploadExpirySeconds)::int)
            RETURNING id::text
            """)
        for row in expired.rows { if let id = row[0] { try? FileManager.default.removeItem(atPath: stagedPath(gateway, id)) } }
    }
}

