import FireflyHTTPClient
import FireflySystem
import Foundation

/// A small browser for the login tests: a cookie jar per host, redirects followed like a browser
/// (303/302 after POST become GET), HTML forms read with just enough parsing for the provider's
/// login page. HTTPS goes to the stack's nginx with its own CA; HTTP to loopback servers.
final class Browser {
    struct Cookie {
        var value: String
        var attributes: [String]
    }

    let stack: TestStack
    /// host → cookie name → cookie.
    var jar: [String: [String: Cookie]] = [:]
    /// The URLs of the last `follow`, in order.
    private(set) var visited: [String] = []

    init(stack: TestStack) { self.stack = stack }

    /// `(scheme, host, port, pathAndQuery)` of an absolute URL.
    static func split(_ url: String) -> (scheme: String, host: String, port: Int, path: String)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = String(url[..<schemeEnd.lowerBound])
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let path = rest.dropFirst(authority.count)
        let parts = authority.split(separator: ":")
        let host = String(parts.first ?? "")
        let port = parts.count > 1 ? Int(parts[1]) ?? 0 : (scheme == "https" ? 443 : 80)
        return (scheme, host, port, path.isEmpty ? "/" : String(path))
    }

    /// One request with the jar's cookies; stores the response's cookies.
    func send(_ method: String, _ url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPResponse {
        guard let target = Self.split(url) else { throw StackError("bad URL \(url)") }
        let options = target.scheme == "https"
            ? HTTPClientOptions(caFile: stack.directory + "/nginx/tls/cert.pem", timeoutMilliseconds: 20_000,
                                resolve: ["\(target.host):\(target.port):127.0.0.1"])
            : HTTPClientOptions(timeoutMilliseconds: 20_000)
        var all = headers
        if let cookies = jar[target.host], !cookies.isEmpty {
            all.append(("Cookie", cookies.map { "\($0.key)=\($0.value.value)" }.sorted().joined(separator: "; ")))
        }
        let response = try HTTPClient(options: options).send(HTTPRequest(method: method, url: url, headers: all, body: body))
        for (name, value) in response.headers where name.lowercased() == "set-cookie" {
            let pieces = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = pieces.first, let equals = first.firstIndex(of: "=") else { continue }
            let cookieName = String(first[..<equals]), cookieValue = String(first[first.index(after: equals)...])
            if pieces.contains(where: { $0.lowercased() == "max-age=0" }) || cookieValue.isEmpty {
                jar[target.host]?[cookieName] = nil
            } else {
                jar[target.host, default: [:]][cookieName] = Cookie(value: cookieValue, attributes: Array(pieces.dropFirst()))
            }
        }
        return response
    }

    /// Resolves a `Location` against the URL it came from.
    static func resolve(_ location: String, against url: String) -> String {
        if location.contains("://") { return location }
        guard let base = split(url) else { return location }
        let portPart = (base.scheme == "https" && base.port == 443) || (base.scheme == "http" && base.port == 80) ? "" : ":\(base.port)"
        return "\(base.scheme)://\(base.host)\(portPart)\(location)"
    }

    /// GET (or the given request) and every redirect after it, until a non-redirect or `stopAt`
    /// (a URL prefix not to request, returned as the final URL instead).
    @discardableResult
    func follow(_ url: String, method: String = "GET", headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
                stopAt: String? = nil) throws -> (response: HTTPResponse?, url: String) {
        var current = url, currentMethod = method, currentBody = body, currentHeaders = headers
        visited = []
        for _ in 0..<15 {
            if let stopAt, current.hasPrefix(stopAt) { return (nil, current) }
            visited.append(current)
            let response = try send(currentMethod, current, headers: currentHeaders, body: currentBody)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.header("Location") else {
                return (response, current)
            }
            current = Self.resolve(location, against: current)
            if response.status != 307, response.status != 308 { currentMethod = "GET"; currentBody = nil; currentHeaders = [] }
        }
        throw StackError("too many redirects: \(visited)")
    }

    /// Signs in at the django-oidc-provider login page the browser is on.
    func submitLogin(page: HTTPResponse, pageURL: String, username: String, password: String, stopAt: String? = nil) throws -> (response: HTTPResponse?, url: String) {
        let html = page.text
        guard let token = Self.capture(html, #"name="csrfmiddlewaretoken" value="([^"]+)""#),
              let action = Self.capture(html, #"<form method="post" action="([^"]+)""#) else {
            throw StackError("not a login page: \(html.prefix(400))")
        }
        let next = Self.capture(html, #"name="next" value="([^"]*)""#) ?? ""
        let form = [("csrfmiddlewaretoken", token), ("username", username), ("password", password), ("next", Self.unescape(next))]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        return try follow(Self.resolve(Self.unescape(action), against: pageURL), method: "POST",
                          headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Referer", pageURL)], body: Array(form.utf8),
                          stopAt: stopAt)
    }

    static func capture(_ text: String, _ pattern: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&#39;", with: "'")
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A query parameter of a URL.
    static func queryValue(_ url: String, _ name: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }

    /// The FireFly session cookie on `localhost`.
    var sessionCookie: Cookie? { jar["localhost"]?["__Host-firefly_session"] }
}

/// A real OIDC provider on a free loopback port (scripts/oidc-provider): django-oidc-provider
/// (`kind` oidc) or django-oauth-toolkit (`kind` dot), with a confidential client for the stack. By
/// default three users: alice@acme.example (group engineering), bob@globex.example (group finance),
/// mallory@nowhere.example (no organization).
final class OIDCProviderFixture {
    let directory: String
    let port: Int
    let kind: String
    private(set) var issuer = ""
    static let clientID = "firefly-tests"
    static let clientSecret = "test-client-secret-\(UInt32.random(in: 0...UInt32.max))"

    static var defaultUsers: [[String: Any]] { [
        ["username": "alice", "password": "alice-password", "email": "alice@acme.example", "first_name": "Alice", "groups": ["engineering"]],
        ["username": "bob", "password": "bob-password", "email": "bob@globex.example", "first_name": "Bob", "groups": ["finance"]],
        ["username": "mallory", "password": "mallory-password", "email": "mallory@nowhere.example", "first_name": "Mallory"],
    ] }

    init(stack: TestStack, kind: String = "oidc", folder: String = "provider", users: [[String: Any]] = OIDCProviderFixture.defaultUsers) throws {
        directory = stack.directory + "/" + folder
        port = try LoopbackPort.findFree()
        self.kind = kind
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let spec: [String: Any] = [
            "client_id": Self.clientID, "client_secret": Self.clientSecret,
            "redirect_uris": ["https://localhost:\(stack.httpsPort)/auth/callback"],
            "post_logout_redirect_uris": ["https://localhost:\(stack.httpsPort)/"],
            "users": users,
        ]
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: directory + "/spec.json"))
        try Self.clientSecret.write(toFile: directory + "/client-secret", atomically: true, encoding: .utf8)
        try start()
    }

    /// Starts the provider (again, after ``stop()``: same port, users, client and keys).
    func start() throws {
        issuer = try Shell.succeed(TestStack.repository + "/scripts/oidc-provider",
                                   ["start", directory, "--port", "\(port)", "--spec", directory + "/spec.json", "--kind", kind])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        pid = (try? String(contentsOfFile: directory + "/provider.pid", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    private var pid: Int32?

    deinit { stop() }

    /// Stops the provider (by the pid it recorded at start, so this works even after its folder is gone).
    func stop() {
        if let pid = pid { kill(pid, SIGTERM) }
        pid = nil
    }

    /// Runs Python in the provider's Django (e.g. to disable a user).
    func shell(_ code: String) throws {
        try Shell.succeed(TestStack.repository + "/scripts/oidc-provider", ["manage", directory, "shell", "-c", code])
    }

    /// This provider's keys as provider `name` (with several providers).
    func providerSettings(name: String, displayName: String) -> [String: String] {
        let prefix = "FIREFLY_OIDC_\(name.uppercased())_"
        return [prefix + "ISSUER": issuer, prefix + "CLIENT_ID": Self.clientID, prefix + "CLIENT_SECRET_FILE": directory + "/client-secret",
                prefix + "SCOPES": "openid email profile groups offline_access", prefix + "DISPLAY_NAME": displayName]
    }

    /// Configuration for the stack: this provider as `demo`, the vault key and client secret in files.
    func settings(stack: TestStack, extra: [String: String] = [:]) throws -> [String: String] {
        try Self.clientSecret.write(toFile: directory + "/client-secret", atomically: true, encoding: .utf8)
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try key.write(toFile: directory + "/vault-key", atomically: true, encoding: .utf8)
        return [
            "FIREFLY_PUBLIC_URL": "https://localhost:\(stack.httpsPort)",
            "FIREFLY_OIDC_PROVIDERS": "demo",
            "FIREFLY_OIDC_DEMO_ISSUER": issuer,
            "FIREFLY_OIDC_DEMO_CLIENT_ID": Self.clientID,
            "FIREFLY_OIDC_DEMO_CLIENT_SECRET_FILE": directory + "/client-secret",
            "FIREFLY_OIDC_DEMO_SCOPES": "openid email profile groups offline_access",
            "FIREFLY_OIDC_ALLOW_HTTP_LOOPBACK": "true",
            "FIREFLY_VAULT_KEY_FILE": directory + "/vault-key",
        ].merging(extra) { $1 }
    }
}
