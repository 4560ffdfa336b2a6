import FireflyCore
import FireflyCrypto
import FireflyGateway
import FireflyHTTPClient
import FireflyPostgres
import FireflySettings
import FireflySystem
import FoundationEssentials
import Logging

/// Forwards completed resumable uploads to Databricks outside the client's request: each worker
/// process runs one forwarder thread that takes queued uploads (`state = 'forwarding'`) from
/// PostgreSQL under a lease. Any worker of any host may take any upload; one that dies mid-transfer
/// leaves a lease that runs out, and another worker starts the upload again from the staged copy.
/// Transfers have no total time limit, only a progress-based one (libcurl's low-speed limit), so a
/// 5 GiB upload to a distant workspace is not cut off while it moves.
final class UploadForwarder: Sendable {
    /// How long a claim holds without renewal; renewed with the progress, every second while bytes move.
    static let leaseSeconds = 30
    /// Attempts per claim, with a growing pause, before the upload is marked failed.
    static let attempts = 3

    private let gateway: Gateway
    private let database: DatabaseSettings
    private let logger: Logger

    init(gateway: Gateway, database: DatabaseSettings, logger: Logger) {
        self.gateway = gateway
        self.database = database
        self.logger = logger
    }

    /// A claimed upload.
    struct Job: Sendable {
        let id: String
        let caller: Caller
        let size: Int64
        let target: String
        let overwrite: Bool
        let verifyHash: Bool
    }

    /// Runs forever on the calling thread: claim, forward, repeat; idle, it looks once a second.
    /// (Each loop calls one function the optimizer does not inline: with the work inlined into these
    /// endless loops, loop-invariant code motion ran for over half an hour in release builds.)
    func run() -> Never {
        let connector = DatabaseConnector(settings: database, statementTimeoutMilliseconds: 30_000)
        while true {
            serve(connector)
            MonotonicClock.sleep(milliseconds: 2000)
        }
    }

    /// Forwards uploads until the database or the HTTP client fails (logged; the caller retries).
    @inline(never)
    private func serve(_ connector: DatabaseConnector) {
        let settings = gateway.settings
        var options = HTTPClientOptions(caFile: settings.caFile, timeoutMilliseconds: 0, userAgent: WorkspaceClient.userAgent)
        options.lowSpeedBytesPerSecond = 1024
        options.lowSpeedSeconds = max(10, settings.timeoutMilliseconds / 1000)
        do {
            let http = try HTTPClient(options: options)
            while try forwardNext(connector, http: http) {}
        } catch {
            logger.warning("upload forwarder: database or client failed; retrying", metadata: ["error": "\(error)"])
        }
    }

    /// Claims and forwards one queued upload, or waits a second when none is queued; always true.
    @inline(never)
    private func forwardNext(_ connector: DatabaseConnector, http: HTTPClient) throws -> Bool {
        guard let job = try connector.withConnection({ try claim($0) }) else {
            MonotonicClock.sleep(milliseconds: 1000)
            return true
        }
        try connector.withConnection { forward(job, connection: $0, http: http) }
        return true
    }

    /// Takes the oldest queued upload whose lease is free.
    func claim(_ connection: PostgresConnection) throws -> Job? {
        let row = try connection.query("""
            UPDATE uploads SET lease_until = now() + make_interval(secs => \(Self.leaseSeconds)), attempts = attempts + 1, updated_at = now()
            WHERE id = (SELECT id FROM uploads WHERE state = 'forwarding' AND (lease_until IS NULL OR lease_until < now())
                        ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id::text, organization_id, user_id, size, target, options
            """)
        guard let id = row.value("id"), let organization = row.value("organization_id").flatMap(Int64.init),
              let user = row.value("user_id").flatMap(Int64.init), let size = row.value("size").flatMap(Int64.init),
              let target = row.value("target") else { return nil }
        let flags = (row.value("options") ?? "").split(separator: ",").map(String.init)
        return Job(id: id, caller: Caller(userID: user, organizationID: organization, requestID: "upload-" + id), size: size, target: target,
                   overwrite: flags.contains("overwrite"), verifyHash: flags.contains("verify"))
    }

    /// Streams the staged file to its target, retrying from the staged copy, and records the outcome.
    func forward(_ job: Job, connection: PostgresConnection, http: HTTPClient) {
        var lastError = GatewayErrorText.unreachable
        for attempt in 1...Self.attempts {
            do {
                let sha = try transfer(job, connection: connection, http: http)
                try connection.query("""
                    UPDATE uploads SET state = 'done', sha256 = \(sha), forwarded_bytes = \(job.size), error = NULL, lease_until = NULL, updated_at = now()
                    WHERE id = \(job.id)::uuid AND state = 'forwarding'
                    """)
                try? FileManager.default.removeItem(atPath: ResumableUploadHandlers.stagedPath(gateway, job.id))
                UploadMetrics.entered("forwarded")
                logger.info("upload forwarded", metadata: ["upload.id": "\(job.id)", "bytes": "\(job.size)"])
                return
            } catch let failure as ForwardFailure {
                lastError = failure.message
                break  // final: a mismatch at the target, or a refusal
            } catch let error as APIError {
                lastError = error.message
                guard [429, 502, 503, 504].contains(error.status), attempt < Self.attempts else { break }
                MonotonicClock.sleep(milliseconds: 1000 * attempt)
            } catch {
                lastError = "\(error)"
                guard attempt < Self.attempts else { break }
                MonotonicClock.sleep(milliseconds: 1000 * attempt)
            }
        }
        UploadMetrics.entered("failed")
        logger.warning("upload forward failed", metadata: ["upload.id": "\(job.id)", "error": "\(lastError)"])
        _ = try? connection.query("""
            UPDATE uploads SET state = 'failed', error = \(lastError), lease_until = NULL, updated_at = now() WHERE id = \(job.id)::uuid AND state = 'forwarding'
            """)
    }

    /// A failure that no retry can mend.
    struct ForwardFailure: Error {
        let message: String
    }

    /// Messages of the failures users see on the upload.
    enum GatewayErrorText {
        static let unreachable = "Databricks did not answer properly; retry the upload's forwarding."
        static let sizeMismatch = "The file at the target does not have the uploaded size; the staged copy is kept for a retry."
        static let hashMismatch = "The file read back from the target does not match what was uploaded; the staged copy is kept for a retry."
        static let otherFile = "A different file already exists at the target; upload with overwrite to replace it."
    }

    /// One transfer of the staged copy; the SHA-256 of what was sent.
    private func transfer(_ job: Job, connection: PostgresConnection, http: HTTPClient) throws -> String {
        let reader = try StagingFile(path: ResumableUploadHandlers.stagedPath(gateway, job.id), mode: .read)
        return try transfer(job, connection: connection, http: http, source: { try reader.read(at: $0, count: 1 << 20) }, renew: { offset in
            try connection.query("""
                UPDATE uploads SET forwarded_bytes = \(offset), lease_until = now() + make_interval(secs => \(Self.leaseSeconds)) WHERE id = \(job.id)::uuid
                """)
        })
    }

    /// One transfer from `source` (the bytes at an offset; empty at the end); `renew` records the
    /// progress and keeps the lease every second. The SHA-256 of what is sent is taken on the way.
    private func transfer(_ job: Job, connection: PostgresConnection, http: HTTPClient, source: @escaping (Int64) throws -> [UInt8],
                          renew: @escaping (Int64) throws -> Void) throws -> String {
        var offset: Int64 = 0
        var renewed: UInt64 = 0  // the first piece records progress at once
        let digest = UploadHandlers.Tally()
        let next: () throws -> [UInt8] = {
            let piece = try source(offset)
            offset += Int64(piece.count)
            digest.add(piece)
            if MonotonicClock.nanoseconds() - renewed > 1_000_000_000 {
                renewed = MonotonicClock.nanoseconds()
                try renew(offset)
            }
            return piece
        }
        switch try UploadHandlers.target(job.target) {
        case .volume(let apiPath, _):
            do {
                _ = try gateway.client.upload("PUT", template: "PUT /api/2.0/fs/files{path}", path: apiPath, query: [("overwrite", job.overwrite ? "true" : "false")],
                                              length: job.size, caller: job.caller, connection: connection, http: http, next: next)
            } catch let error as APIError where error.status == 409 && !job.overwrite {
                // A file is there already: an earlier attempt that succeeded unseen (its answer lost),
                // or somebody else's file. Ours only if it is the same.
                return try sameFile(job, apiPath: apiPath, connection: connection, http: http)
            }
            let sha = digest.hex()
            try check(job, apiPath: apiPath, sha: sha, connection: connection, http: http)
            return sha
        case .dbfs(let dbfsPath, _):
            // `next` already counts and hashes every byte sent (into `digest`).
            try UploadHandlers.dbfsBlocks(gateway, path: dbfsPath, overwrite: job.overwrite, tally: UploadHandlers.Tally(), caller: job.caller,
                                          connection: connection, http: http, next: next)
            guard digest.bytes == job.size else { throw ForwardFailure(message: GatewayErrorText.sizeMismatch) }
            return digest.hex()
        }
    }

    // MARK: Forwarding while the chunks arrive

    /// How long a following transfer's claim holds without renewal (renewals skip a row a chunk
    /// has locked, so this outlasts slow chunks).
    static let followLeaseSeconds = 60

    /// Forwards upload `id` while its chunks still arrive, on the calling thread: the transfer reads
    /// the staged copy up to the offset PostgreSQL has confirmed and waits there for the next chunk,
    /// so the last chunk is followed by seconds of forwarding instead of the whole file. The claim
    /// is the same lease the forwarder honours; when the client pauses past `idleMilliseconds`, the
    /// transfer fails or another forwarder took the upload, the lease is released and the upload is
    /// forwarded as usual after its last chunk (the staged copy is the source of truth throughout).
    func follow(_ id: String, idleMilliseconds: Int) {
        let connector = DatabaseConnector(settings: database, statementTimeoutMilliseconds: 30_000)
        var options = HTTPClientOptions(caFile: gateway.settings.caFile, timeoutMilliseconds: 0, userAgent: WorkspaceClient.userAgent)
        options.lowSpeedBytesPerSecond = 1
        options.lowSpeedSeconds = max(10, idleMilliseconds / 1000 + 10)
        do {
            let http = try HTTPClient(options: options)
            try connector.withConnection { connection in
                guard let (job, claim) = try claimReceiving(id, connection: connection) else { return }
                followClaimed(job, claim: claim, idleMilliseconds: idleMilliseconds, connection: connection, http: http)
            }
        } catch {
            logger.warning("upload follower: database or client failed; the upload is forwarded after its last chunk",
                           metadata: ["upload.id": "\(id)", "error": "\(error)"])
        }
    }

    /// Takes a receiving upload's lease; the claim is its `attempts` value, which any later claim changes.
    private func claimReceiving(_ id: String, connection: PostgresConnection) throws -> (Job, Int)? {
        let row = try connection.query("""
            UPDATE uploads SET lease_until = now() + make_interval(secs => \(Self.followLeaseSeconds)), attempts = attempts + 1
            WHERE id = \(id)::uuid AND state = 'receiving' AND (lease_until IS NULL OR lease_until < now())
            RETURNING organization_id, user_id, size, target, options, attempts
            """)
        guard let organization = row.value("organization_id").flatMap(Int64.init), let user = row.value("user_id").flatMap(Int64.init),
              let size = row.value("size").flatMap(Int64.init), let target = row.value("target"),
              let claim = row.value("attempts").flatMap(Int.init) else { return nil }
        let flags = (row.value("options") ?? "").split(separator: ",").map(String.init)
        return (Job(id: id, caller: Caller(userID: user, organizationID: organization, requestID: "upload-" + id), size: size, target: target,
                    overwrite: flags.contains("overwrite"), verifyHash: flags.contains("verify")), claim)
    }

    /// The following transfer of a claimed upload, and its outcome.
    private func followClaimed(_ job: Job, claim: Int, idleMilliseconds: Int, connection: PostgresConnection, http: HTTPClient) {
        do {
            let source = try FollowedUpload(job: job, claim: claim, path: ResumableUploadHandlers.stagedPath(gateway, job.id),
                                            idleNanoseconds: UInt64(idleMilliseconds) * 1_000_000, connection: connection)
            let sha = try transfer(job, connection: connection, http: http, source: source.read, renew: { offset in
                // A row a chunk holds locked is skipped (the next second tries again).
                try connection.query("""
                    UPDATE uploads SET forwarded_bytes = \(offset), lease_until = now() + make_interval(secs => \(Self.followLeaseSeconds))
                    WHERE id = (SELECT id FROM uploads WHERE id = \(job.id)::uuid AND attempts = \(claim) FOR UPDATE SKIP LOCKED)
                    """)
            })
            let done = try connection.query("""
                UPDATE uploads SET state = 'done', sha256 = \(sha), forwarded_bytes = \(job.size), error = NULL, lease_until = NULL, updated_at = now()
                WHERE id = \(job.id)::uuid AND state = 'forwarding' AND attempts = \(claim)
                """)
            guard done.affectedRows == 1 else { return }  // taken over meanwhile: the new owner records the outcome
            try? FileManager.default.removeItem(atPath: ResumableUploadHandlers.stagedPath(gateway, job.id))
            UploadMetrics.entered("forwarded")
            logger.info("upload forwarded while receiving", metadata: ["upload.id": "\(job.id)", "bytes": "\(job.size)"])
        } catch {
            _ = try? connection.query("""
                UPDATE uploads SET lease_until = NULL, forwarded_bytes = 0 WHERE id = \(job.id)::uuid AND attempts = \(claim)
                """)
            logger.info("upload follower stopped; the upload is forwarded after its last chunk",
                        metadata: ["upload.id": "\(job.id)", "reason": "\(error)"])
        }
    }

    /// The size at the target, and with `verify` its SHA-256 read back, must be what was sent.
    private func check(_ job: Job, apiPath: String, sha: String, connection: PostgresConnection, http: HTTPClient) throws {
        let head = try gateway.client.call("HEAD", template: "HEAD /api/2.0/fs/files{path}", path: apiPath, idempotent: true,
                                           caller: job.caller, connection: connection, http: http)
        guard head.header("Content-Length").flatMap(Int64.init) == job.size else { throw ForwardFailure(message: GatewayErrorText.sizeMismatch) }
        guard job.verifyHash else { return }
        guard try readBack(job, apiPath: apiPath, connection: connection, http: http) == sha else {
            throw ForwardFailure(message: GatewayErrorText.hashMismatch)
        }
    }

    /// The SHA-256 of the object at the target, read back streamed.
    private func readBack(_ job: Job, apiPath: String, connection: PostgresConnection, http: HTTPClient) throws -> String {
        let readBack = UploadHandlers.Tally()
        let status = try gateway.client.download(template: "GET /api/2.0/fs/files{path}", path: apiPath, caller: job.caller,
                                                 connection: connection, http: http) { readBack.add($0); return true }
        guard status == 200 else { throw APIError(status: 502, code: "databricks_unavailable", message: GatewayErrorText.unreachable) }
        return readBack.hex()
    }

    /// The existing file counts as this upload's when its bytes are the staged copy's.
    private func sameFile(_ job: Job, apiPath: String, connection: PostgresConnection, http: HTTPClient) throws -> String {
        let staged = UploadHandlers.Tally()
        let reader = try StagingFile(path: ResumableUploadHandlers.stagedPath(gateway, job.id), mode: .read)
        var offset: Int64 = 0
        while true {
            let piece = try reader.read(at: offset, count: 1 << 20)
            if piece.isEmpty { break }
            staged.add(piece)
            offset += Int64(piece.count)
        }
        let sha = staged.hex()
        guard try readBack(job, apiPath: apiPath, connection: connection, http: http) == sha else {
            throw ForwardFailure(message: GatewayErrorText.otherFile)
        }
        return sha
    }
}
