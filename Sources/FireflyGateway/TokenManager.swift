import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyPostgres
import FoundationEssentials
import Logging
import FireflySystem

/// SPN tokens: worker memory → PostgreSQL (sealed) → a client_credentials exchange at the
/// workspace. A token is renewed when less than five minutes remain. Exactly one exchange per
/// organization per token lifetime across every worker and host: the exchange runs under a
/// PostgreSQL advisory lock (waited for at most `lockWaitSeconds`) and re-reads the row after
/// taking it, so everyone who waited shares the winner's token. A failed exchange is recorded in
/// PostgreSQL, so the waiters behind it do not each repeat it, and for a few seconds nobody tries
/// again; meanwhile a token that still has time left is used.
final class TokenManager: Sendable {
    static let renewalMargin: Double = 300
    static let negativeTTL: Double = 5
    /// A token this close to its end is not handed out even as a fallback.
    static let fallbackMargin: Double = 30

    private let memory = PlainLock<[Int64: (token: String, expiresAt: Double)]>([:])
    private let failures = PlainLock<[Int64: Double]>([:])
    private let vault: Vault
    private let logger: Logger
    private let lockWaitSeconds: Int

    init(vault: Vault, logger: Logger, lockWaitSeconds: Int) {
        self.vault = vault
        self.logger = logger
        self.lockWaitSeconds = lockWaitSeconds
    }

    /// When the cached token of an organization expires (after `token(for:…)` returned it).
    func expiry(of organizationID: Int64) -> Double? { memory.withLock { $0[organizationID]?.expiresAt } }

    /// Forgets what this process holds for an organization (its principal or workspace changed).
    func forget(_ organizationID: Int64) {
        memory.withLock { $0[organizationID] = nil }
        failures.withLock { $0[organizationID] = nil }
    }

    /// What one attempt under the lock came to.
    private enum Attempt {
        case token(String)
        case failed(APIError)
    }

    /// A token with at least five minutes left, or, while renewal fails, one that still has time.
    func token(for workspace: OrganizationWorkspace, connection: PostgresConnection, http: HTTPClient, now: Double = Date().timeIntervalSince1970) throws -> String {
        if let cached = memory.withLock({ $0[workspace.id] }), cached.expiresAt - now > Self.renewalMargin { return cached.token }
        if let stored = try storedToken(workspace.id, connection: connection, now: now) { return stored }
        do {
            if let failedAt = failures.withLock({ $0[workspace.id] }), now - failedAt < Self.negativeTTL { throw GatewayError.tokenExchangeFailed() }
            switch try renew(workspace, connection: connection, http: http, now: now) {
            case .token(let token): return token
            case .failed(let error): throw error
            }
        } catch let error as APIError where error.code == "spn_token_failed" {
            failures.withLock { $0[workspace.id] = now }
            if let fallback = memory.withLock({ $0[workspace.id] }), fallback.expiresAt - now > Self.fallbackMargin {
                logger.warning("SPN token renewal failed; the current token is used while it lasts", metadata: ["organization.id": "\(workspace.id)"])
                return fallback.token
            }
            throw error
        }
    }

    /// One renewal under the organization's advisory lock.
    private func renew(_ workspace: OrganizationWorkspace, connection: PostgresConnection, http: HTTPClient, now: Double) throws -> Attempt {
        do {
            return try connection.transaction {
                try connection.query("SELECT set_config('lock_timeout', \("\(lockWaitSeconds)s"), true)")
                try connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("firefly-spn-token:\(workspace.id)"), 0))")
                if let stored = try storedToken(workspace.id, connection: connection, now: now) { return .token(stored) }
                // A failure another worker or host met moments ago is not repeated by every waiter.
                let recent = try connection.query("""
                    SELECT exchange_failed_at > now() - make_interval(secs => \(Int(Self.negativeTTL))) FROM spn_credentials WHERE organization_id = \(workspace.id)
                    """)
                if recent.scalar == "t" { return .failed(GatewayError.tokenExchangeFailed()) }
                let token: String, lifetime: Int
                do {
                    (token, lifetime) = try exchange(workspace, http: http)
                } catch let error as APIError {
                    try connection.query("UPDATE spn_credentials SET exchange_failed_at = now() WHERE organization_id = \(workspace.id)")
                    return .failed(error)  // committed: the waiters see it
                }
                let expiresAt = Date().timeIntervalSince1970 + Double(lifetime)
                try connection.query("""
                    INSERT INTO spn_tokens (organization_id, token_enc, expires_at, obtained_at)
                    VALUES (\(workspace.id), \(try vault.seal(token, purpose: "spn-token")), to_timestamp(\(String(expiresAt))::double precision), now())
                    ON CONFLICT (organization_id) DO UPDATE SET token_enc = EXCLUDED.token_enc, expires_at = EXCLUDED.expires_at, obtained_at = now()
                    """)
                try connection.query("UPDATE spn_credentials SET exchange_failed_at = NULL WHERE organization_id = \(workspace.id)")
                memory.withLock { $0[workspace.id] = (token, expiresAt) }
                failures.withLock { $0[workspace.id] = nil }
                return .token(token)
            }
        } catch let error as PostgresError where error.sqlState == "55P03" {
            logger.warning("SPN token renewal: waited too long for another exchange", metadata: ["organization.id": "\(workspace.id)"])
            return .failed(GatewayError.tokenExchangeFailed())
        }
    }

    private func storedToken(_ organizationID: Int64, connection: PostgresConnection, now: Double) throws -> String? {
        let row = try connection.query("""
            SELECT token_enc, extract(epoch FROM expires_at)::double precision AS expires FROM spn_tokens WHERE organization_id = \(organizationID)
            """)
        guard let sealed = row.value("token_enc"), let expires = row.value("expires").flatMap(Double.init), expires - now > Self.renewalMargin else {
            return nil
        }
        let token = try vault.open(sealed, purpose: "spn-token")
        memory.withLock { $0[organizationID] = (token, expires) }
        return token
    }

    /// After Databricks answered 401 to `token`: forget it here and in the database (only if it is
    /// still the current one), so the next call exchanges anew.
    func discard(_ token: String, organizationID: Int64, connection: PostgresConnection) throws {
        memory.withLock { if $0[organizationID]?.token == token { $0[organizationID] = nil } }
        let row = try connection.query("SELECT token_enc FROM spn_tokens WHERE organization_id = \(organizationID)")
        if let sealed = row.value("token_enc"), (try? vault.open(sealed, purpose: "spn-token")) == token {
            try connection.query("UPDATE spn_tokens SET expires_at = now() WHERE organization_id = \(organizationID) AND token_enc = \(sealed)")
        }
    }

    /// `POST {workspace}/oidc/v1/token` with client credentials (HTTP Basic), scope all-apis.
    private func exchange(_ workspace: OrganizationWorkspace, http: HTTPClient) throws -> (String, Int) {
        let secret: String
        do {
            secret = try vault.open(workspace.sealedSecret, purpose: "spn-secret")
        } catch {
            logger.error("the SPN secret cannot be opened with the vault key", metadata: ["organization.id": "\(workspace.id)"])
            throw GatewayError.tokenExchangeFailed()
        }
        let response: HTTPResponse
        do {
            response = try http.send(SPNTokenRequest.make(workspaceURL: workspace.workspaceURL, clientID: workspace.clientID, secret: secret))
        } catch {
            logger.warning("SPN token exchange: workspace unreachable", metadata: ["organization.id": "\(workspace.id)", "error": "\(error)"])
            GatewayMetrics.countTokenExchange(succeeded: false)
            throw GatewayError.tokenExchangeFailed()
        }
        guard let (token, lifetime) = SPNTokenRequest.token(in: response) else {
            logger.warning("SPN token exchange refused", metadata: ["organization.id": "\(workspace.id)", "reason": "\(SPNTokenRequest.refusal(in: response))"])
            GatewayMetrics.countTokenExchange(succeeded: false)
            throw GatewayError.tokenExchangeFailed()
        }
        GatewayMetrics.countTokenExchange(succeeded: true)
        logger.info("SPN token obtained", metadata: ["organization.id": "\(workspace.id)", "expires_in": "\(lifetime)"])
        return (token, lifetime)
    }
}
