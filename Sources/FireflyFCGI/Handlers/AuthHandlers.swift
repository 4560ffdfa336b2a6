import FireflyCore
import FireflyHTTPClient
import FireflyIdentity
import FireflyJSON
import FoundationEssentials
import Logging

/// Login, callback, logout, the nginx page gate, and `GET /api/me`.
enum AuthHandlers {
    /// `GET /auth/login?return_to=/path[&provider=name]`: to the provider (or a provider choice).
    static func login(_ identity: Identity) -> Handler {
        { context in
            let returnTo = ReturnTo.sanitize(context.request.queryValue("return_to"))
            do {
                let binding = Identity.loginBinding(context.request.headers["cookie"])
                let started = try context.database.withConnection { connection in
                    try identity.startLogin(provider: context.request.queryValue("provider"), returnTo: returnTo, browserBinding: binding,
                                            loginHint: context.request.queryValue("login_hint"), connection: connection)
                }
                guard let started else {
                    return SignInPage.response(providers: identity.settings.providers, returnTo: returnTo, loginHint: context.request.queryValue("login_hint"))
                }
                return Response(status: 302, headers: [("Location", started.providerURL), ("Set-Cookie", started.bindingCookie),
                                                       ("Cache-Control", "no-store")])
            } catch let failure as LoginFailure {
                return failurePage(failure, context)
            }
        }
    }

    /// `GET /auth/callback?code&state` (or `?error&state`): finish the login, set the session cookie.
    static func callback(_ identity: Identity) -> Handler {
        { context in
            do {
                let login = try context.database.withConnection { connection in
                    try identity.completeLogin(context.request.query, browserBinding: Identity.loginBinding(context.request.headers["cookie"]),
                                               connection: connection)
                }
                audit(SecurityEvent(actor: login.actor, action: "login", organizationID: login.organizationID, userID: login.userID,
                                    detail: "provider=\(login.provider)", remoteAddress: context.request.remoteAddress), context)
                return Response(status: 302, headers: [("Location", login.returnTo), ("Set-Cookie", identity.sessionCookie(login.cookieValue)),
                                                       ("Cache-Control", "no-store")])
            } catch let failure as LoginFailure {
                audit(SecurityEvent(actor: failure.actor ?? "unknown", action: "login", outcome: "refused", detail: failure.code,
                                    remoteAddress: context.request.remoteAddress), context)
                return failurePage(failure, context)
            }
        }
    }

    /// `POST /auth/logout` (CSRF-checked): delete the session, clear the cookie, and send the browser
    /// to the provider's end-session endpoint when it has one.
    static func logout(_ identity: Identity) -> Handler {
        { context in
            let session = try requireSession(identity, context)
            try requireSameOrigin(identity, context, session: session)
            let idToken = try context.database.withConnection { try identity.end(session.idHash, connection: $0) }
            audit(SecurityEvent(actor: "user \(session.userID)", action: "logout", organizationID: session.organizationID, userID: session.userID,
                                remoteAddress: context.request.remoteAddress), context)
            var headers: [(String, String)] = [("Set-Cookie", Identity.clearedCookie), ("Cache-Control", "no-store")]
            let next = identity.logoutRedirect(provider: session.provider, idToken: idToken)
            // A script (fetch cannot read a redirect's target) gets 200 and follows `next` itself.
            let wantsJSON = context.request.headers["accept"]?.contains("application/json") == true
            if let next, !wantsJSON { headers.append(("Location", next)) }
            return try Response.json(LogoutBody(logged_out: true, next: next), status: next == nil || wantsJSON ? 200 : 303, headers: headers)
        }
    }

    /// Writes a sign-in's audit row; a failure to write it is logged and does not refuse the user.
    private static func audit(_ event: SecurityEvent, _ context: RequestContext) {
        do {
            try context.database.withConnection { try event.record($0) }
        } catch {
            context.logger.error("security event not written", metadata: ["action": "\(event.action)", "error": "\(error)"])
        }
    }

    /// `GET /auth/check`: nginx's `auth_request` for pages (204 with a session, 401 without).
    static func check(_ identity: Identity) -> Handler {
        { context in
            guard identity.isEnabled else { return Response(status: 204, headers: [("Cache-Control", "no-store")]) }
            let session = try context.database.withConnection {
                try identity.validate(cookieHeader: context.request.headers["cookie"], connection: $0)
            }
            return Response(status: session == nil ? 401 : 204, headers: [("Cache-Control", "no-store")])
        }
    }

    /// `GET /auth/page-login`: nginx sends pages without a session here; the original URI comes in
    /// `X-Firefly-Original-Uri`. Answers the redirect to the login with `return_to` encoded.
    static let pageLogin: Handler = { context in
        let original = ReturnTo.sanitize(context.request.headers["x-firefly-original-uri"])
        return redirect("/auth/login?return_to=" + FormEncoding.component(original))
    }

    /// `GET /api/me`: the user and organization of the session, and its CSRF token; no secrets.
    static func me(_ identity: Identity) -> Handler {
        { context in
            let session = try requireSession(identity, context)
            // Built by hand: this is the hottest authenticated call (JSONEncoder costs more than the lookup).
            let q: (String) -> String = JSONText.string, optional: (String?) -> String = JSONText.optional
            let body = """
                {"csrf_token":\(q(session.csrfToken)),"organization":{"id":\(session.organizationID),"name":\(q(session.organizationName)),\
                "slug":\(q(session.organizationSlug))},"session":{"created_at":\(session.createdAt),"expires_at":\(session.expiresAt)},\
                "user":{"email":\(optional(session.email)),"id":\(session.userID),"name":\(optional(session.name))}}
                """
            return Response.rawJSON(Array(body.utf8), headers: [("Cache-Control", "no-store")])
        }
    }

    // MARK: Gates

    /// The session of an API request, or 401.
    static func requireSession(_ identity: Identity, _ context: RequestContext) throws -> SessionInfo {
        if let validated = context.session { return validated }
        let session = try context.database.withConnection {
            try identity.validate(cookieHeader: context.request.headers["cookie"], connection: $0)
        }
        guard let session else {
            throw APIError(status: 401, code: "unauthenticated", message: "Sign in first: no valid session.",
                           headers: [("Set-Cookie", Identity.clearedCookie)])
        }
        return session
    }

    /// CSRF defence for state-changing requests outside `/api/` (the dispatcher checks `/api/` ones).
    static func requireSameOrigin(_ identity: Identity, _ context: RequestContext, session: SessionInfo) throws {
        if let refusal = identity.csrfRefusal(headers: context.request.headers, session: session) {
            throw APIError(status: 403, code: "csrf_rejected", message: refusal)
        }
    }

    // MARK: Responses

    static func redirect(_ location: String) -> Response {
        Response(status: 302, headers: [("Location", location), ("Cache-Control", "no-store")])
    }

    /// A login failure: JSON for API clients, a short HTML page for browsers.
    static func failurePage(_ failure: LoginFailure, _ context: RequestContext) -> Response {
        if context.request.headers["accept"]?.contains("application/json") == true {
            return .error(APIError(status: failure.status, code: failure.code, message: failure.message), requestID: context.request.requestID)
        }
        let body = HTMLPage.render(title: "Sign-in problem", paragraphs: [failure.message],
                                   link: ("/auth/login", "Sign in again"), requestID: context.request.requestID)
        return Response(status: failure.status, headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")], body: body)
    }

    private struct LogoutBody: Encodable {
        let logged_out: Bool
        let next: String?
    }

}

