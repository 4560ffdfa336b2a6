import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// Login: the binding cookie, starting a login at a provider, completing it at the callback.
extension Identity {
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
        // Fetched afresh for every sign-in: a provider that is down is a clear page here (502,
        // "cannot be reached"), not a redirect into the browser's own connection error. Sign-ins
        // are rare; signed-in requests never ask the provider.
        let metadata = try mapProviderErrors { try provider.metadata(maxAge: 0) }
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

    func mapProviderErrors<T>(_ body: () throws -> T) throws -> T {
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
}
