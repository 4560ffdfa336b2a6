import FireflyCore
import FireflyCrypto
import FireflyGateway
import FireflyIdentity
import FireflyJSON
import FoundationEssentials
import ProxyCore

/// Databricks Apps: the organization's apps (Apps API, with its SPN) and embed URLs for the app
/// proxy, each with a fresh token bound to one app and never outliving the SPN token.
enum AppHandlers {
    static func register(in router: inout Router<Handler>, gateway: Gateway, envelope: TokenEnvelope, settings: AppProxySettings) {
        router.add("GET", "/api/apps", list(gateway))
        router.add("POST", "/api/apps/{name}/embed", embed(gateway, envelope: envelope, settings: settings))
    }

    static func list(_ gateway: Gateway) -> Handler {
        { context in
            let caller = try GatewayHandlers.caller(context)
            let size = context.request.queryValue("page_size") ?? "50"
            guard let pageSize = Int(size), (1...100).contains(pageSize) else {
                throw APIError.badRequest("page_size must be a whole number from 1 to 100.")
            }
            var query = [("page_size", String(pageSize))]
            if let token = context.request.queryValue("page_token"), !token.isEmpty {
                guard token.utf8.count <= 2048, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                    throw APIError.badRequest("page_token is not a token this API issued.")
                }
                query.append(("page_token", token))
            }
            let reply = try context.database.withConnection {
                try gateway.client.call("GET", template: "GET /api/2.0/apps", path: "/api/2.0/apps", query: query, idempotent: true,
                                        caller: caller, connection: $0, http: try GatewayHandlers.http(context))
            }
            return Response.rawJSON(reply.body, headers: [("Cache-Control", "no-store")])
        }
    }

    /// The app URL `https://{label}.{provider}.{domain}.{suffix}` split into the proxy's route parts;
    /// Azure's hosts carry a zone before the cloud (`{label}.{n}.azure.{domain}.{suffix}`), which
    /// becomes part of the provider (`{n}.azure`).
    static func routeParts(of url: String, domains: Set<String>) -> (label: String, provider: String, domain: String)? {
        guard url.hasPrefix("https://") else { return nil }
        let host = url.dropFirst(8).prefix { $0 != "/" && $0 != ":" }.lowercased()
        let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.count == 4 || labels.count == 5, AppProxyRoute.isDNSLabel(labels[0]) else { return nil }
        let provider = labels[1..<(labels.count - 2)].joined(separator: ".")
        let domain = labels[labels.count - 2]
        guard AppProxyRoute.isProvider(provider), domains.contains(domain) else { return nil }
        return (labels[0], provider, domain)
    }

    static func embed(_ gateway: Gateway, envelope: TokenEnvelope, settings: AppProxySettings) -> Handler {
        let origins = AppOrigins(parentOrigin: settings.baseURL)
        return { context in
            let caller = try GatewayHandlers.caller(context)
            guard let session = context.session, let origins else { throw APIError.internalError() }
            let name = try context.parameter("name")
            guard AppProxyRoute.isDNSLabel(name) else { throw APIError.badRequest("App names are lower-case letters, digits and dashes.") }
            let http = try GatewayHandlers.http(context)
            return try context.database.withConnection { connection in
                let reply = try gateway.client.call("GET", template: "GET /api/2.0/apps/{name}", path: "/api/2.0/apps/" + name, idempotent: true,
                                                    caller: caller, connection: connection, http: http)
                guard let app = JSONValue.object(reply.body), let url = app["url"]?.string,
                      let parts = routeParts(of: url, domains: settings.domains) else {
                    throw APIError(status: 422, code: "app_not_embeddable", message: "This app's URL is not one the app proxy can serve.")
                }
                // Every (organization, app) has an origin of its own.
                guard let appOrigin = origins.origin(app: parts.label, organization: session.organizationSlug) else {
                    throw APIError(status: 422, code: "app_not_embeddable",
                                   message: "The app's name and the organization's slug together are too long for an app host name (63 characters).")
                }
                let bearer = try gateway.client.bearer(for: caller, connection: connection, http: http)
                // The URL may be opened once, within the lifetime; the proxy then keeps the token in
                // a cookie of the app's origin, usable while this session lives and the SPN token is valid.
                let urlUsableUntil = min(Date().timeIntervalSince1970 + Double(settings.tokenLifetimeSeconds), bearer.expiresAt)
                let target = AppTarget(organizationID: caller.organizationID, organizationSlug: session.organizationSlug,
                                       provider: parts.provider, domain: parts.domain, appName: parts.label)
                let token = try envelope.seal(bearerToken: bearer.token, target: target, session: SessionBinding(sessionHash: session.idHash),
                                              nonce: SecureRandom.bytes(TokenEnvelope.nonceBytes), expiresAt: bearer.expiresAt,
                                              urlUsableUntil: urlUsableUntil)
                let path = "/app-proxy/\(token)/\(parts.provider)/\(parts.domain)/\(parts.label)/"
                // expires_at: until when the URL may be opened (once); token_expires_at: until when
                // the app's cookie carries the SPN token, the moment to mint again.
                let body = "{\"expires_at\":\(Int64(urlUsableUntil)),\"origin\":\(JSONText.string(appOrigin)),"
                    + "\"token_expires_at\":\(Int64(bearer.expiresAt)),\"url\":\(JSONText.string(appOrigin + path))}"
                return Response.rawJSON(Array(body.utf8), headers: [("Cache-Control", "no-store")])
            }
        }
    }
}
