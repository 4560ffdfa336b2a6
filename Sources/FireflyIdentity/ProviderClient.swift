import FireflyCore
import FireflyHTTPClient
import FireflyJSON
import FoundationEssentials
import Logging
import Synchronization

/// One OIDC provider as seen from a worker process: discovery and JWKS cached (JWKS re-fetched,
/// at most every 10 s, when a token names an unknown key), and the calls to its endpoints made
/// with libcurl. Shared by the process's threads.
public final class ProviderClient: Sendable {
    public let settings: OIDCProviderSettings
    private let clientSecret: String
    private let logger: Logger
    private let cache = Mutex<(metadata: ProviderMetadata?, fetchedAt: Double, keys: SigningKeys?, keysFetchedAt: Double)>((nil, 0, nil, 0))
    public static let metadataLifetime: Double = 3600
    static let keyRefetchInterval: Double = 10

    public init(settings: OIDCProviderSettings, clientSecret: String, logger: Logger) {
        self.settings = settings
        self.clientSecret = clientSecret
        self.logger = logger
    }

    private func http(_ request: HTTPRequest) throws -> HTTPResponse {
        do {
            return try HTTPClient(options: HTTPClientOptions(timeoutMilliseconds: 10_000, userAgent: "firefly-gateway")).send(request)
        } catch {
            logger.warning("identity provider unreachable", metadata: ["provider": "\(settings.name)", "error": "\(error)"])
            // The provider may have moved its endpoints: the next call fetches discovery again.
            forgetMetadata()
            throw IdentityError.provider("The identity provider \(settings.displayName) cannot be reached right now.")
        }
    }

    /// Drops the cached discovery document (fetched again on the next call).
    public func forgetMetadata() { cache.withLock { $0.metadata = nil } }

    private func json(_ response: HTTPResponse, what: String) throws -> [String: JSONValue] {
        guard (200..<300).contains(response.status), let object = JSONValue.object(response.body) else {
            logger.warning("identity provider answered badly", metadata: ["provider": "\(settings.name)", "what": "\(what)", "status": "\(response.status)"])
            throw IdentityError.provider("The identity provider \(settings.displayName) gave an unusable answer (\(what)).")
        }
        return object
    }

    /// The discovery URL: `<issuer>/.well-known/openid-configuration`.
    public var discoveryURL: String {
        var issuer = settings.issuer
        while issuer.hasSuffix("/") { issuer.removeLast() }
        return issuer + "/.well-known/openid-configuration"
    }

    /// What is wrong with a discovery document, if anything (for logs and `firefly-admin provider check`).
    public static func discoveryProblems(_ document: [String: JSONValue], issuer configured: String) -> [String] {
        var trimmed = configured
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        var problems: [String] = []
        let announced = document["issuer"]?.string
        if announced != configured, announced != trimmed {
            problems.append("issuer mismatch: the document announces \(announced ?? "no issuer"), the configuration says \(configured)")
        }
        let missing = ["authorization_endpoint", "token_endpoint", "jwks_uri"].filter { document[$0]?.string == nil }
        if !missing.isEmpty { problems.append("missing: \(missing.joined(separator: ", "))") }
        if let methods = document["code_challenge_methods_supported"]?.strings, !methods.contains("S256") {
            problems.append("PKCE S256 not advertised (code_challenge_methods_supported: \(methods.joined(separator: ", ")))")
        }
        return problems
    }

    /// The discovery document (cached for an hour per worker process, or `maxAge` seconds; fetched
    /// again after a failure and by every new worker, i.e. on reload).
    public func metadata(now: Double = Date().timeIntervalSince1970, maxAge: Double = ProviderClient.metadataLifetime) throws -> ProviderMetadata {
        if let cached = cache.withLock({ $0.metadata != nil && now - $0.fetchedAt < maxAge ? $0.metadata : nil }) {
            return cached
        }
        let document = try json(try http(HTTPRequest(url: discoveryURL)), what: "discovery")
        let problems = Self.discoveryProblems(document, issuer: settings.issuer).filter { !$0.hasPrefix("PKCE") }
        guard problems.isEmpty, let announced = document["issuer"]?.string, let authorization = document["authorization_endpoint"]?.string,
              let token = document["token_endpoint"]?.string, let jwks = document["jwks_uri"]?.string else {
            logger.error("identity provider discovery unusable", metadata: ["provider": "\(settings.name)", "problems": "\(problems.joined(separator: "; "))"])
            throw IdentityError.provider("The identity provider \(settings.displayName) is misconfigured (its discovery document is unusable); "
                                         + "an administrator can run firefly-admin provider check \(settings.name).")
        }
        let methods = document["token_endpoint_auth_methods_supported"]?.strings ?? ["client_secret_basic"]
        let metadata = ProviderMetadata(issuer: announced, authorizationEndpoint: authorization, tokenEndpoint: token, jwksURI: jwks,
                                        userinfoEndpoint: document["userinfo_endpoint"]?.string,
                                        endSessionEndpoint: document["end_session_endpoint"]?.string,
                                        acceptsBasicAuth: methods.contains("client_secret_basic"))
        cache.withLock { $0.metadata = metadata; $0.fetchedAt = now }
        return metadata
    }

    /// Signing keys that include `keyID`: the cached set, or a fresh one when the key is unknown.
    public func signingKeys(for keyID: String?, now: Double = Date().timeIntervalSince1970) throws -> SigningKeys {
        let (cached, fetchedAt) = cache.withLock { ($0.keys, $0.keysFetchedAt) }
        if let cached, IDTokenVerifier.hasKey(for: keyID, in: cached) { return cached }
        if let cached, now - fetchedAt < Self.keyRefetchInterval { return cached }
        let body = try http(HTTPRequest(url: try metadata(now: now).jwksURI))
        guard (200..<300).contains(body.status) else { throw IdentityError.provider("The identity provider's signing keys cannot be fetched.") }
        let bytes = body.body
        let keys = try Blocking.run { try await SigningKeys(jwksJSON: bytes) }
        cache.withLock { $0.keys = keys; $0.keysFetchedAt = now }
        return keys
    }

    /// Form-encoded POST to the token endpoint with the client's credentials.
    private func tokenRequest(_ fields: [(String, String)]) throws -> (status: Int, body: [String: JSONValue]?) {
        let metadata = try metadata()
        var form = fields
        var headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        if metadata.acceptsBasicAuth {
            let credentials = FormEncoding.component(settings.clientID) + ":" + FormEncoding.component(clientSecret)
            headers.append(("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString()))
        } else {
            form += [("client_id", settings.clientID), ("client_secret", clientSecret)]
        }
        let response = try http(HTTPRequest(method: "POST", url: metadata.tokenEndpoint, headers: headers, body: Array(FormEncoding.encode(form).utf8)))
        return (response.status, JSONValue.object(response.body))
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    public func exchange(code: String, verifier: String, redirectURI: String) throws -> ProviderTokens {
        let (status, body) = try tokenRequest([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)])
        guard status == 200, let body else {
            let reason = body?["error"]?.string ?? "status \(status)"
            logger.warning("code exchange refused", metadata: ["provider": "\(settings.name)", "error": "\(reason)"])
            throw IdentityError.provider("The identity provider refused to complete the login (\(reason)). Please sign in again.")
        }
        return ProviderTokens(idToken: body["id_token"]?.string, accessToken: body["access_token"]?.string, refreshToken: body["refresh_token"]?.string)
    }

    /// Result of re-checking a session's refresh token.
    public enum RefreshOutcome: Sendable {
        case refreshed(newRefreshToken: String?)
        /// The provider refused: the user may be disabled; the session must end.
        case refused(String)
    }

    /// Uses a refresh token; `refused` for a definitive no, throws when the provider is unreachable,
    /// busy or cannot say (the check is then postponed, and the session lives on).
    public func refresh(_ refreshToken: String) throws -> RefreshOutcome {
        let (status, body) = try tokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
        if status == 200, let body { return .refreshed(newRefreshToken: body["refresh_token"]?.string) }
        let error = body?["error"]?.string
        guard Self.isRefusal(status: status, error: error) else {
            throw IdentityError.provider("The identity provider could not check the refresh token (status \(status)\(error.map { ", \($0)" } ?? "")).")
        }
        return .refused(error ?? "status \(status)")
    }

    /// Whether a failed refresh says the user's grant is gone (the session must end), rather than
    /// the provider being busy (408, 429), failing (5xx) or FireFly's client being misconfigured.
    public static func isRefusal(status: Int, error: String?) -> Bool {
        guard (400..<500).contains(status), status != 408, status != 429 else { return false }
        return !["invalid_client", "unauthorized_client", "invalid_request", "unsupported_grant_type", "temporarily_unavailable", "server_error"]
            .contains(error ?? "")
    }

    /// Claims from the userinfo endpoint (for providers that keep email out of the ID token).
    public func userinfo(accessToken: String) throws -> [String: JSONValue] {
        guard let endpoint = try metadata().userinfoEndpoint else { return [:] }
        return try json(try http(HTTPRequest(url: endpoint, headers: [("Authorization", "Bearer \(accessToken)"), ("Accept", "application/json")])),
                        what: "userinfo")
    }
}
