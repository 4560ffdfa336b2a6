import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import Hummingbird
import NIOFoundationEssentialsCompat

extension WorkspaceSimulator {
    /// `http://<Host header>`: the sim serves plain HTTP on loopback.
    func baseURL(_ call: Call) -> String {
        "http://" + (call.request.head.authority ?? configuration.listen)
    }

    func hostMetadata(_ call: Call) -> Response {
        struct Metadata: Encodable {
            let oidc_endpoint: String
            let workspace_id: String
            let account_id: String
            let cloud: String
        }
        return JSONResponse.make(Metadata(oidc_endpoint: baseURL(call) + "/oidc", workspace_id: configuration.workspace_id,
                                          account_id: configuration.account_id, cloud: configuration.cloud))
    }

    func discovery(_ call: Call) -> Response {
        struct Discovery: Encodable {
            let issuer: String
            let authorization_endpoint: String
            let token_endpoint: String
            let jwks_uri: String
            let grant_types_supported = ["client_credentials", "authorization_code", "refresh_token"]
            let token_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post"]
            let scopes_supported = ["all-apis", "offline_access"]
        }
        let base = baseURL(call) + "/oidc"
        return JSONResponse.make(Discovery(issuer: base, authorization_endpoint: base + "/v1/authorize",
                                           token_endpoint: base + "/v1/token", jwks_uri: base + "/jwks.json"))
    }

    /// OAuth errors use the OAuth shape (`error`, `error_description`), always as JSON.
    private func oauthError(_ status: HTTPResponse.Status, _ code: String, _ description: String) -> Response {
        JSONResponse.make(status: status, ["error": code, "error_description": description])
    }

    /// `POST /oidc/v1/token`: client credentials by HTTP Basic or in the form.
    func token(_ call: Call) async throws -> Response {
        var request = call.request
        let body = try await request.collectBody(upTo: 64 << 10)
        var form: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacing("+", with: " ") }
            guard let key = parts.first.flatMap(Self.percentDecode) else { continue }
            form[key] = parts.count > 1 ? Self.percentDecode(parts[1]) ?? "" : ""
        }
        guard form["grant_type"] == "client_credentials" else {
            return oauthError(.badRequest, "unsupported_grant_type", "grant_type must be client_credentials")
        }
        if let scope = form["scope"], !scope.split(separator: " ").allSatisfy({ $0 == "all-apis" || $0 == "offline_access" }) {
            return oauthError(.badRequest, "invalid_scope", "Invalid scope: \(scope)")
        }
        var clientID = form["client_id"], secret = form["client_secret"]
        if let header = call.request.headers[.authorization], header.lowercased().hasPrefix("basic "),
           let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
           let colon = decoded.firstIndex(of: ":") {
            clientID = Self.percentDecode(String(decoded[..<colon])) ?? String(decoded[..<colon])
            secret = Self.percentDecode(String(decoded[decoded.index(after: colon)...])) ?? String(decoded[decoded.index(after: colon)...])
        }
        guard let clientID, let secret, let principal = tokens.authenticate(clientID: clientID, secret: secret) else {
            return oauthError(.unauthorized, "invalid_client", "Client authentication failed")
        }
        counters.countTokenExchange(principal.client_id)
        let issued = tokens.issue(clientID: principal.client_id)
        struct TokenResponse: Encodable {
            let access_token: String
            let token_type = "Bearer"
            let expires_in: Int
            let scope = "all-apis"
        }
        return JSONResponse.make(TokenResponse(access_token: issued.token, expires_in: issued.expiresIn))
    }

    // MARK: Admin (tests only)

    func adminCounters(_ call: Call) -> Response { JSONResponse.make(counters.snapshot) }

    func adminReset(_ call: Call) -> Response {
        counters.reset()
        return JSONResponse.empty
    }

    func adminFaults(_ call: Call) -> Response { JSONResponse.make(faults.current) }

    /// Replaces the injected faults with the body (`{"endpoint": {fault}}`; `{}` clears them).
    func adminSetFaults(_ call: Call) async throws -> Response {
        var request = call.request
        let body = try await request.collectBody(upTo: 64 << 10)
        guard let replacement = try? JSONDecoder().decode([String: SimConfiguration.Fault].self, from: Data(buffer: body)) else {
            throw APIError.malformed("Expected {\"endpoint\": {\"latency_ms\", \"rate_429\", \"rate_500\", \"rate_503\", \"retry_after_seconds\"}}.")
        }
        faults.replace(replacement)
        return JSONResponse.make(faults.current)
    }

    /// Revokes one token (`{"token": …}`) or every token of a client (`{"client_id": …}`).
    func adminRevoke(_ call: Call) async throws -> Response {
        var request = call.request
        let body = try JSONValue.object(from: Array(buffer: try await request.collectBody(upTo: 64 << 10)))
        if let token = try body.optionalString("token") { return JSONResponse.make(["revoked": tokens.revoke(token: token)]) }
        if let client = try body.optionalString("client_id") { return JSONResponse.make(["revoked": tokens.revokeAll(clientID: client)]) }
        throw APIError.invalidParameter("token or client_id is required.")
    }

    // MARK: Apps

    func appJSON(_ app: SimConfiguration.App) -> AppInfo {
        let state = app.state ?? "RUNNING"
        return AppInfo(name: app.name, id: "app-" + app.name, url: appURL(app),
                       description: app.description, app_status: .init(state: state, message: state == "RUNNING" ? "App is running" : "App is \(state.lowercased())"),
                       compute_status: .init(state: state == "RUNNING" ? "ACTIVE" : "STOPPED", message: ""),
                       create_time: "2025-01-01T00:00:00Z", update_time: "2025-01-01T00:00:00Z", creator: "sim-admin@example.com")
    }

    /// The apps the calling service principal may use (CAN_USE), by name.
    /// The URL of `app` (its own, or the default `https://{name}-{workspace id}.{cloud}.databricksapps.com`).
    func appURL(_ app: SimConfiguration.App) -> String {
        app.url ?? "https://\(app.name)-\(configuration.workspace_id).\(configuration.cloud).databricksapps.com"
    }

    /// `GET /sim/apps/authorize`: what an app host asks (nginx `auth_request`) before serving a
    /// request, as Databricks Apps' front door does: 200 when `Authorization` carries a live token
    /// of a service principal permitted on the app at `X-App-Host`; 401 without a usable token, 403
    /// for another principal or an unknown host.
    func authorizeAppRequest(_ call: Call) throws -> Response {
        let header = call.request.headers[.authorization] ?? ""
        guard header.count > 7, header.prefix(7).lowercased() == "bearer ",
              let principal = tokens.principal(forToken: String(header.dropFirst(7))) else {
            throw APIError.unauthenticated
        }
        let host = call.request.headers.first { $0.name.canonicalName == "x-app-host" }?.value.lowercased() ?? ""
        guard let app = configuration.apps.first(where: { URLHost.of(appURL($0)) == host }), app.permits(principal.client_id) else {
            throw APIError(.forbidden, "PERMISSION_DENIED", "The service principal may not use this app.")
        }
        return JSONResponse.make(["app": app.name, "client_id": principal.client_id])
    }

    func listApps(_ call: Call) throws -> Response {
        let apps = configuration.apps.filter { $0.permits(call.principal?.client_id ?? "") }.sorted { $0.name < $1.name }
        let page = try Pagination.page(count: apps.count, size: call.queryValue("page_size"), token: call.queryValue("page_token"),
                                       kind: "apps", defaultSize: 50, maximum: 1000, legacyAll: false)
        struct Listing: Encodable { let apps: [AppInfo]; let next_page_token: String? }
        return JSONResponse.make(Listing(apps: apps[page.range].map(appJSON), next_page_token: page.next))
    }

    func getApp(_ name: String, _ call: Call) throws -> Response {
        guard let app = configuration.apps.first(where: { $0.name == name }), app.permits(call.principal?.client_id ?? "") else {
            throw APIError.notFound("RESOURCE_DOES_NOT_EXIST", "App with name \(name) does not exist or is deleted.")
        }
        return JSONResponse.make(appJSON(app))
    }
}

struct AppInfo: Encodable {
    struct Status: Encodable { let state: String; let message: String }
    let name: String
    let id: String
    let url: String
    let description: String?
    let app_status: Status
    let compute_status: Status
    let create_time: String
    let update_time: String
    let creator: String
}

