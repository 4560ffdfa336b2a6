import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// FireFly's identity service in a worker process: OIDC login with PKCE, users and organizations,
/// sessions (database rows keyed by the SHA-256 of the cookie, cached per process), refresh-token
/// re-checks, logout. Methods take the calling thread's database connection.
public final class Identity: Sendable {
    public static let cookieName = "__Host-firefly_session"
    /// How long a started login may take.
    static let loginLifetimeSeconds = 600

    public let settings: IdentitySettings
    public let providers: [String: ProviderClient]
    public let sessions = SessionCache()
    /// The vault (nil only when no provider is configured).
    public let vault: Vault?
    private let logger: Logger

    /// Reads the client secrets and the vault key; a missing one is a configuration error.
    public init(settings: IdentitySettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        var providers: [String: ProviderClient] = [:]
        for provider in settings.providers {
            guard let secret = try settings.readClientSecret(provider) else {
                throw ConfigurationError(key: OIDCProviderSettings.key(provider.name, "CLIENT_SECRET_FILE"),
                                         problem: "no client secret: give a file, or the systemd credential oidc-\(provider.name)-client-secret")
            }
            providers[provider.name] = ProviderClient(settings: provider, clientSecret: secret, logger: logger)
        }
        self.providers = providers
        vault = try settings.readVaultKeys().map { try Vault(keys: $0) }
        if !providers.isEmpty, vault == nil {
            throw ConfigurationError(key: "FIREFLY_VAULT_KEY_FILE", problem: "a vault key is required with OIDC providers (refresh tokens are kept encrypted)")
        }
    }

    public var isEnabled: Bool { !providers.isEmpty }

    // MARK: Login

    /// The cookie that binds a login attempt to the browser that started it (RFC 9700 §4.7.1): a
    /// random value kept by the browser; each login row stores its SHA-256, and the callback must
    /// come with the same cookie, so nobody can make a victim's browser finish their own login.
    public static let loginBindingCookieName = "__Host-firefly_login"

    /// A started login: where to send the browser, and the binding cookie to set with it.
    public struct StartedLogin: Sendable {
        public let providerURL: String
        public let bindingCookie: String
    }

    /// The login-binding cookie's value from a `Cookie` header, when it has the expected form.
    public static func loginBinding(_ cookieHeader: String?) -> String? {
        guard let value = cookieValue(cookieHeader, name: loginBindingCookieName), value.utf8.count == 43,
              Base64URL.decode(value)?.count == 32 else { return nil }
        return value
    }

    /// Starts a login: records state, nonce and PKCE verifier, bound to the browser's binding
    /// cookie (a new one when it has none), and returns the provider URL to redirect to. With
    /// several providers and none named, returns nil (the caller offers a choice).
    public func startLogin(provider name: String?, returnTo: String?, browserBinding: String?, loginHint: String? = nil,
                           connection: PostgresConnection) throws -> StartedLogin? {
        let provider: ProviderClient
        let hint = loginHint.map { Self.printable($0, limit: 320) }.flatMap { $0.isEmpty ? nil : $0 }
        if let name {
            guard let named = providers[name.lowercased()] else { throw LoginFailure(400, "unknown_provider", "There is no identity provider named \(name).") }
            provider = named
        } else if providers.count == 1, let only = providers.values.first {
            provider = only
        } else if providers.isEmpty {
            throw LoginFailure(503, "login_unavailable", "No identity provider is configured.")
        } else if let hint, let chosen = try self.provider(forEmail: hint, connection: connection) {
            provider = chosen  // the organization's email domain names its provider
        } else {
            return nil
        }
        let metadata = try mapProviderErrors { try provider.metadata() }
        let state = Base64URL.encode(SecureRandom.bytes(32))
        let nonce = Base64URL.encode(SecureRandom.bytes(32))
        let verifier = Base64URL.encode(SecureRandom.bytes(32))
        let challenge = Base64URL.encode(SHA256.hash(verifier))
        // Several tabs may log in at once: they share the browser's binding.
        let binding = browserBinding ?? Base64URL.encode(SecureRandom.bytes(32))
        try connection.query("DELETE FROM login_transactions WHERE expires_at < now() - interval '1 hour'")
        try connection.query("""
            INSERT INTO login_transactions (state_hash, provider, nonce, code_verifier, return_to, expires_at, browser_hash)
            VALUES (\(bytes: SHA256.hash(state)), \(provider.settings.name), \(nonce), \(verifier), \(ReturnTo.sanitize(returnTo)),
                    now() + make_interval(secs => \(Self.loginLifetimeSeconds)::int), \(bytes: SHA256.hash(binding)))
            """)
        let query = FormEncoding.encode([
            ("response_type", "code"), ("client_id", provider.settings.clientID), ("redirect_uri", settings.redirectURI),
            ("scope", provider.settings.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ] + (hint.map { [("login_hint", $0)] } ?? []))
        let url = metadata.authorizationEndpoint + (metadata.authorizationEndpoint.contains("?") ? "&" : "?") + query
        let cookie = "\(Self.loginBindingCookieName)=\(binding); Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=\(Self.loginLifetimeSeconds)"
        return StartedLogin(providerURL: url, bindingCookie: cookie)
    }

    /// The provider whose email-domain rules name the domain of `email`, when exactly one does.
    func provider(forEmail email: String, connection: PostgresConnection) throws -> ProviderClient? {
        guard let domain = email.split(separator: "@").last.map({ String($0).lowercased() }), email.contains("@") else { return nil }
        let named = try connection.query("""
            SELECT DISTINCT provider FROM organization_rules WHERE kind = 'email_domain' AND value = \(domain) AND provider <> ''
            """)
        guard named.rows.count == 1, let name = named.scalar else { return nil }
        return providers[name]
    }

    /// A finished login: the new session's cookie value and where to send the browser.
    public struct CompletedLogin: Sendable {
        public let cookieValue: String
        public let returnTo: String
        /// Who signed in (email, or the issuer's subject without one), for the audit row.
        public let actor: String
        public let userID: Int64
        public let organizationID: Int64
        public let provider: String
    }

    /// Completes a login from the callback's query parameters, in the browser that started it.
    public func completeLogin(_ query: [(name: String, value: String)], browserBinding: String?, connection: PostgresConnection) throws -> CompletedLogin {
        func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
        guard let state = value("state"), !state.isEmpty else {
            throw LoginFailure(400, "invalid_login", "The login response has no state. Please sign in again.")
        }
        // Single use: the row is consumed whatever happens next.
        let transaction = try connection.query("""
            DELETE FROM login_transactions WHERE state_hash = \(bytes: SHA256.hash(state))
            RETURNING provider, nonce, code_verifier, return_to, expires_at > now() AS fresh, encode(browser_hash, 'hex') AS browser
            """)
        guard transaction.rows.count == 1, transaction.value("fresh") == "t", let providerName = transaction.value("provider"),
              let nonce = transaction.value("nonce"), let verifier = transaction.value("code_verifier") else {
            throw LoginFailure(400, "login_expired", "This login has expired or was already used. Please sign in again.")
        }
        // Before anything of the provider's answer is used or shown: this browser must have started it.
        guard let browserBinding, let stored = transaction.value("browser").flatMap(Hex.decode),
              ConstantTime.equal(stored, SHA256.hash(browserBinding)) else {
            logger.notice("login refused: callback not bound to the browser that started it", metadata: ["provider": "\(providerName)"])
            throw LoginFailure(400, "login_not_bound", "This sign-in was not started in this browser. Please sign in again.")
        }
        let returnTo = ReturnTo.sanitize(transaction.value("return_to"))
        if let error = value("error") {
            let detail = value("error_description").map { ": " + Self.printable($0, limit: 200) } ?? ""
            let status = error == "access_denied" ? 403 : 400
            throw LoginFailure(status, "provider_refused", "The identity provider did not sign you in (\(Self.printable(error, limit: 60))\(detail)).")
        }
        guard let code = value("code"), !code.isEmpty else {
            throw LoginFailure(400, "invalid_login", "The login response has no authorization code. Please sign in again.")
        }
        guard let provider = providers[providerName] else {
            throw LoginFailure(400, "unknown_provider", "The identity provider of this login is no longer configured.")
        }
        let (identity, refreshToken, idTokenHint) = try mapProviderErrors { () -> (VerifiedIdentity, String?, String) in
            let metadata = try provider.metadata()
            let tokens = try provider.exchange(code: code, verifier: verifier, redirectURI: settings.redirectURI)
            guard let idToken = tokens.idToken else { throw IdentityError.provider("The identity provider returned no ID token.") }
            let keyID = try IDTokenVerifier.header(of: idToken).keyID
            let keys = try provider.signingKeys(for: keyID)
            let expectations = IDTokenExpectations(issuer: metadata.issuer, clientID: provider.settings.clientID, nonce: nonce,
                                                   now: Date().timeIntervalSince1970)
            var claims = try Blocking.run { try await IDTokenVerifier.verify(idToken, keys: keys, expect: expectations) }
            // Userinfo once per login: providers keep email, email_verified or groups out of the ID
            // token as they please (the ID token's own claims win).
            if let accessToken = tokens.accessToken {
                let extra = try provider.userinfo(accessToken: accessToken)
                if extra["sub"]?.string == claims["sub"]?.string { claims.merge(extra) { current, _ in current } }
            }
            let verified = VerifiedIdentity(issuer: metadata.issuer, subject: claims["sub"]?.string ?? "", email: claims["email"]?.string?.lowercased(),
                                            emailVerified: Self.emailVerified(claims["email_verified"], trusted: provider.settings.trustEmail),
                                            name: claims["name"]?.string, groups: claims[provider.settings.groupsClaim]?.strings ?? [])
            return (verified, tokens.refreshToken, idToken)
        }
        // The organization first: a refused login leaves the stored user as it was.
        guard let organizationID = try organization(for: identity, provider: provider.settings.name, connection: connection) else {
            logger.notice("login refused: no organization", metadata: [
                "provider": "\(provider.settings.name)", "issuer": "\(identity.issuer)", "reason": "\(refusalReason(identity, provider: provider.settings.name))",
                "email.domain": "\(identity.email.flatMap { $0.split(separator: "@").last.map(String.init) } ?? "-")",
                "groups": "\(identity.groups.count)",
            ])
            var failure = LoginFailure(403, "no_organization", "You signed in, but your account does not belong to any organization on FireFly. Ask your administrator to add you.")
            failure.actor = identity.email ?? "\(identity.issuer) \(identity.subject)"
            throw failure
        }
        let userRow = try connection.query("""
            INSERT INTO users (issuer, subject, email, name) VALUES (\(identity.issuer), \(identity.subject), \(identity.email), \(identity.name))
            ON CONFLICT (issuer, subject) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, last_login_at = now()
            RETURNING id
            """)
        guard let userID = userRow.scalar else { throw LoginFailure(500, "internal_error", "The user could not be recorded.") }
        let cookie = try createSession(userID: userID, organizationID: organizationID, provider: provider.settings.name,
                                       refreshToken: refreshToken, idToken: idTokenHint, connection: connection)
        logger.info("login", metadata: ["user.id": "\(userID)", "organization.id": "\(organizationID)", "provider": "\(provider.settings.name)"])
        return CompletedLogin(cookieValue: cookie, returnTo: returnTo, actor: identity.email ?? "\(identity.issuer) \(identity.subject)",
                              userID: Int64(userID) ?? 0, organizationID: Int64(organizationID) ?? 0, provider: provider.settings.name)
    }

    /// Provider text fit to show: printable ASCII only, at most `limit` characters (pages escape it).
    static func printable(_ text: String, limit: Int) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }.prefix(limit)))
    }

    private func mapProviderErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IdentityError {
            switch error {
            case .provider(let message): throw LoginFailure(502, "provider_error", message)
            case .invalidToken(let message):
                logger.warning("ID token refused", metadata: ["reason": "\(message)"])
                throw LoginFailure(401, "invalid_id_token", "The identity provider's answer could not be verified (\(message)). Please sign in again.")
            }
        }
    }

    /// `email_verified` as providers send it (a boolean, or the string "true"); absent, it counts
    /// only for a provider trusted with `FIREFLY_OIDC_<N>_TRUST_EMAIL`.
    public static func emailVerified(_ claim: JSONValue?, trusted: Bool) -> Bool {
        switch claim {
        case .bool(let value)?: value
        case .string(let text)?: text.lowercased() == "true"
        default: trusted
        }
    }

    /// Why no rule placed a user, for the operator's log.
    func refusalReason(_ identity: VerifiedIdentity, provider: String) -> String {
        if identity.email == nil, identity.groups.isEmpty { return "the provider released no email and no groups" }
        if identity.email != nil, !identity.emailVerified {
            return "the email is not verified (email_verified false or missing; FIREFLY_OIDC_\(provider.uppercased())_TRUST_EMAIL) and no group rule matched"
        }
        return "no rule of provider \(provider) matched the email, its domain or the groups"
    }

    /// The organization rules of the provider that signed the user in: explicit membership by
    /// email, then a groups-claim value, then the email domain (email rules only for verified
    /// addresses). Rules bound to no provider count only while exactly one is configured.
    func organization(for identity: VerifiedIdentity, provider: String, connection: PostgresConnection) throws -> String? {
        let email = identity.emailVerified ? identity.email : nil
        let domain = email.flatMap { $0.split(separator: "@").last.map(String.init) }
        let groups = "{" + identity.groups.map { "\"" + $0.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
        let result = try connection.query("""
            SELECT r.organization_id FROM organization_rules r
            WHERE (r.provider = \(provider) OR (r.provider = '' AND \(providers.count == 1)))
              AND ((r.kind = 'member_email' AND r.value = \(email))
                   OR (r.kind = 'group' AND r.value = ANY(\(groups)::text[]))
                   OR (r.kind = 'email_domain' AND r.value = \(domain)))
            ORDER BY CASE r.kind WHEN 'member_email' THEN 0 WHEN 'group' THEN 1 ELSE 2 END, r.organization_id
            LIMIT 1
            """)
        return result.scalar
    }

    // MARK: Sessions

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

    /// `Set-Cookie` for a new session.
    public func sessionCookie(_ value: String) -> String {
        "\(Self.cookieName)=\(value); Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=\(settings.sessionLifetimeSeconds)"
    }

    /// `Set-Cookie` that removes the session cookie.
    public static let clearedCookie = "\(cookieName)=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"

    /// The session cookie's value from a `Cookie` header.
    public static func cookieValue(_ header: String?) -> String? {
        cookieValue(header, name: cookieName)
    }

    /// The value of the cookie `name` from a `Cookie` header.
    static func cookieValue(_ header: String?, name: String) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            if trimmed.hasPrefix(name + "=") {
                let value = trimmed.dropFirst(name.count + 1)
                return value.isEmpty ? nil : String(value)
            }
        }
        return nil
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

    private func isIdle(_ session: SessionInfo?, _ now: Int64) -> Bool {
        guard let session else { return false }
        return now - session.lastSeenAt > Int64(settings.sessionIdleTimeoutSeconds)
    }

    private func load(_ hash: [UInt8], connection: PostgresConnection) throws -> SessionInfo? {
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
    private func refreshStillValid(_ session: SessionInfo, connection: PostgresConnection) throws -> Bool {
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

    /// CSRF defence for a state-changing request: FireFly's own origin (`Origin`, or
    /// `Sec-Fetch-Site: same-origin` when a browser sends no Origin) and the session's token in
    /// `X-CSRF-Token`. Returns why the request is refused, or nil when it passes.
    public func csrfRefusal(headers: [String: String], session: SessionInfo) -> String? {
        let sameOrigin: Bool
        if let origin = headers["origin"] {
            sameOrigin = origin == settings.publicOrigin
        } else {
            sameOrigin = headers["sec-fetch-site"] == "same-origin"
        }
        guard sameOrigin else { return "Cross-origin request refused." }
        guard let token = headers["x-csrf-token"], ConstantTime.equal(Array(token.utf8), Array(session.csrfToken.utf8)) else {
            return "Missing or wrong X-CSRF-Token header."
        }
        return nil
    }

    // MARK: Vault

    private func seal(_ text: String, purpose: String) throws -> String {
        guard let vault else { throw LoginFailure(500, "internal_error", "No vault key.") }
        return try vault.seal(text, purpose: purpose)
    }

    private func open(_ sealed: String, purpose: String) throws -> String {
        guard let vault else { throw LoginFailure(500, "internal_error", "No vault key.") }
        return try vault.open(sealed, purpose: purpose)
    }
}

extension SessionInfo {
    func seen(at now: Int64) -> SessionInfo {
        SessionInfo(idHash: idHash, userID: userID, email: email, name: name, organizationID: organizationID, organizationSlug: organizationSlug,
                    organizationName: organizationName, provider: provider, csrfToken: csrfToken, createdAt: createdAt, lastSeenAt: now,
                    expiresAt: expiresAt, nextRefreshAt: nextRefreshAt)
    }
}
