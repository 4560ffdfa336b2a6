import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// Sessions: creating, validating (cache, idle timeout, refresh-token re-checks), ending, logout.
extension Identity {
    /// Creates a session row (only the SHA-256 of the new random id is stored) and returns the cookie value.
    func createSession(userID: String, organizationID: String, provider: String, refreshToken: String?, idToken: String? = nil,
                       connection: PostgresConnection) throws -> String {
        let identifier = Base64URL.encode(SecureRandom.bytes(32))
        let hash = SHA256.hash(identifier)
        let encryptedRefresh = try refreshToken.map { try seal($0, purpose: "refresh-token") }
        // Kept (sealed) for the provider's logout: `id_token_hint` tells it which session to end.
        let encryptedIDToken = try idToken.map { try seal($0, purpose: "id-token") }
        // The first refresh check, when there is a token to check and checks are on.
        let refreshDelay: Int? = encryptedRefresh != nil && settings.refreshIntervalSeconds > 0 ? settings.refreshIntervalSeconds : nil
        try connection.query("""
            INSERT INTO sessions (id_hash, user_id, organization_id, provider, csrf_token, expires_at, refresh_token_enc, next_refresh_at,
                                  idle_timeout_seconds, id_token_enc)
            VALUES (\(bytes: hash), \(userID)::bigint, \(organizationID)::bigint, \(provider), \(Base64URL.encode(SecureRandom.bytes(24))),
                    now() + make_interval(secs => \(settings.sessionLifetimeSeconds)::int), \(encryptedRefresh),
                    now() + make_interval(secs => \(refreshDelay)::int), \(settings.sessionIdleTimeoutSeconds)::int, \(encryptedIDToken))
            """)
        return identifier
    }

    /// The session a request carries, or nil (no cookie, unknown, expired, idle, revoked, or
    /// ended because the provider refused its refresh token).
    public func validate(cookieHeader: String?, connection: PostgresConnection, now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> SessionInfo? {
        guard let value = Self.cookieValue(cookieHeader), value.utf8.count <= 128 else { return nil }
        let hash = SHA256.hash(value)
        var info = sessions.lookup(hash, now: Double(now))
        if info == nil || isIdle(info, now) {
            // The ticket is taken before the read: a logout committed meanwhile keeps it out of the cache.
            let ticket = sessions.ticket()
            info = try load(hash, connection: connection)
            if let info { sessions.store(info, ticket: ticket, now: Double(now)) }
        }
        guard var session = info else { return nil }
        if now >= session.expiresAt || isIdle(session, now) {
            try end(hash, connection: connection)
            return nil
        }
        // Sliding renewal, written at most once a minute (or a tenth of the idle timeout).
        if now - session.lastSeenAt >= min(60, Int64(settings.sessionIdleTimeoutSeconds / 10)) {
            let ticket = sessions.ticket()
            let touched = try connection.query("UPDATE sessions SET last_seen_at = now() WHERE id_hash = \(bytes: hash)")
            guard touched.affectedRows == 1 else {
                // Deleted meanwhile (logout, revocation): gone, whatever the cache said.
                sessions.evict(hash)
                return nil
            }
            session = session.seen(at: now)
            sessions.store(session, ticket: ticket, now: Double(now))
        }
        if let due = session.nextRefreshAt, now >= due, !(try refreshStillValid(session, connection: connection)) {
            return nil
        }
        return session
    }

    func isIdle(_ session: SessionInfo?, _ now: Int64) -> Bool {
        guard let session else { return false }
        return now - session.lastSeenAt > Int64(settings.sessionIdleTimeoutSeconds)
    }

    func load(_ hash: [UInt8], connection: PostgresConnection) throws -> SessionInfo? {
        let result = try connection.query("""
            SELECT s.user_id, u.email, u.name, s.organization_id, o.slug, o.name AS organization_name, s.provider, s.csrf_token,
                   extract(epoch FROM s.created_at)::bigint AS created, extract(epoch FROM s.last_seen_at)::bigint AS seen,
                   extract(epoch FROM s.expires_at)::bigint AS expires, extract(epoch FROM s.next_refresh_at)::bigint AS refresh
            FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = s.organization_id
            WHERE s.id_hash = \(bytes: hash)
            """)
        guard result.rows.count == 1, let user = result.value("user_id").flatMap(Int64.init),
              let organization = result.value("organization_id").flatMap(Int64.init) else { return nil }
        return SessionInfo(idHash: hash, userID: user, email: result.value("email"), name: result.value("name"), organizationID: organization,
                           organizationSlug: result.value("slug") ?? "", organizationName: result.value("organization_name") ?? "",
                           provider: result.value("provider") ?? "", csrfToken: result.value("csrf_token") ?? "",
                           createdAt: result.value("created").flatMap(Int64.init) ?? 0, lastSeenAt: result.value("seen").flatMap(Int64.init) ?? 0,
                           expiresAt: result.value("expires").flatMap(Int64.init) ?? 0, nextRefreshAt: result.value("refresh").flatMap(Int64.init))
    }

    /// Re-checks the refresh token when due (one worker claims the check); false when the provider
    /// refused it and the session was ended.
    func refreshStillValid(_ session: SessionInfo, connection: PostgresConnection) throws -> Bool {
        let claim = try connection.query("""
            UPDATE sessions SET next_refresh_at = now() + interval '1 minute'
            WHERE id_hash = \(bytes: session.idHash) AND next_refresh_at <= now()
            RETURNING refresh_token_enc
            """)
        guard let sealed = claim.scalar, let provider = providers[session.provider] else { return true }
        let refreshToken = try open(sealed, purpose: "refresh-token")
        let outcome: ProviderClient.RefreshOutcome
        do {
            outcome = try provider.refresh(refreshToken)
        } catch {
            logger.warning("refresh check postponed: provider unreachable", metadata: ["provider": "\(session.provider)"])
            return true
        }
        switch outcome {
        case .refreshed(let newToken):
            let resealed = try newToken.map { try seal($0, purpose: "refresh-token") } ?? sealed
            try connection.query("""
                UPDATE sessions SET refresh_token_enc = \(resealed), next_refresh_at = now() + make_interval(secs => \(settings.refreshIntervalSeconds)::int)
                WHERE id_hash = \(bytes: session.idHash)
                """)
            return true
        case .refused(let reason):
            logger.notice("session ended: the identity provider refused the refresh token", metadata: ["user.id": "\(session.userID)", "reason": "\(reason)"])
            try end(session.idHash, connection: connection)
            return false
        }
    }

    /// Deletes a session (the trigger tells every worker); returns its ID token, when one was kept.
    @discardableResult
    public func end(_ hash: [UInt8], connection: PostgresConnection) throws -> String? {
        sessions.evict(hash)
        let ended = try connection.query("DELETE FROM sessions WHERE id_hash = \(bytes: hash) RETURNING id_token_enc")
        return ended.scalar.flatMap { try? open($0, purpose: "id-token") }
    }

    /// Where to send the browser after logout: the provider's end-session endpoint, when it has one,
    /// with `id_token_hint` (which session to end), `client_id` and where to come back.
    public func logoutRedirect(provider name: String, idToken: String?) -> String? {
        guard let provider = providers[name], let endpoint = try? provider.metadata().endSessionEndpoint else { return nil }
        var parameters = [("client_id", provider.settings.clientID), ("post_logout_redirect_uri", settings.publicOrigin + "/")]
        if let idToken { parameters.insert(("id_token_hint", idToken), at: 0) }
        return endpoint + (endpoint.contains("?") ? "&" : "?") + FormEncoding.encode(parameters)
    }
}

extension SessionInfo {
    func seen(at now: Int64) -> SessionInfo {
        SessionInfo(idHash: idHash, userID: userID, email: email, name: name, organizationID: organizationID, organizationSlug: organizationSlug,
                    organizationName: organizationName, provider: provider, csrfToken: csrfToken, createdAt: createdAt, lastSeenAt: now,
                    expiresAt: expiresAt, nextRefreshAt: nextRefreshAt)
    }
}
