import FireflyCore
import FireflyGateway
import FireflyIdentity
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
            var query = [("page_size", context.request.queryValue("page_size") ?? "50")]
            if let token = context.request.queryValue("page_token"), !token.isEmpty { query.append(("page_token", token)) }
            let reply = try context.database.withConnection {
                try gateway.client.call("GET", template: "GET /api/2.0/apps", path: "/api/2.0/apps", query: query, idempotent: true,
                                        caller: caller, connection: $0, http: try GatewayHandlers.http(context))
            }
            return Response.rawJSON(reply.body, headers: [("Cache-Control", "no-store")])
        }
    }

    /// The app URL `https://{label}.{provider}.{domain}.{suffix}` split into the proxy's route parts.
    static func routeParts(of url: String, domains: Set<String>) -> (label: String, provider: String, domain: String)? {
        guard url.hasPrefix("https://") else { return nil }
        let host = url.dropFirst(8).prefix { $0 != "/" && $0 != ":" }.lowercased()
        let labels = host.split(separator: ".").map(String.init)
        guard labels.count == 4, AppProxyRoute.providers.contains(labels[1]), domains.contains(labels[2]),
              AppProxyRoute.isDNSLabel(labels[0]) else { return nil }
        return (labels[0], labels[1], labels[2])
    }

    static func embed(_ gateway: Gateway, envelope: TokenEnvelope, settings: AppProxySettings) -> Handler {
        { context in
            let caller = try GatewayHandlers.caller(context)
            let name = try context.parameter("name")
            guard AppProxyRoute.isDNSLabel(name) else { throw APIError.badRequest("App names are lower-case letters, digits and dashes.") }
            let http = try GatewayHandlers.http(context)
            return try context.database.withConnection { connection in
                let reply = try gateway.client.call("GET", template: "GET /api/2.0/apps/{name}", path: "/api/2.0/apps/" + name, idempotent: true,
                                                    caller: caller, connection: connection, http: http)
                guard let app = ClaimValue.object(reply.body), let url = app["url"]?.string,
                      let parts = routeParts(of: url, domains: settings.domains) else {
                    throw APIError(status: 422, code: "app_not_embeddable", message: "This app's URL is not one the app proxy can serve.")
                }
                let bearer = try gateway.client.bearer(for: caller, connection: connection, http: http)
                // The URL must be opened within the lifetime; the proxy then keeps the token in a
                // cookie, usable until the SPN token itself expires.
                let urlUsableUntil = min(Date().timeIntervalSince1970 + Double(settings.tokenLifetimeSeconds), bearer.expiresAt)
                let target = AppTarget(organizationID: caller.organizationID, provider: parts.provider, domain: parts.domain, appName: parts.label)
                let token = try envelope.seal(bearerToken: bearer.token, target: target, expiresAt: bearer.expiresAt, urlUsableUntil: urlUsableUntil)
                let expiresAt = urlUsableUntil
                let path = "/app-proxy/\(token)/\(parts.provider)/\(parts.domain)/\(parts.label)/"
                let body = "{\"expires_at\":\(Int64(expiresAt)),\"url\":\(JSONText.string(settings.baseURL + path))}"
                return Response.rawJSON(Array(body.utf8), headers: [("Cache-Control", "no-store")])
            }
        }
    }
}
