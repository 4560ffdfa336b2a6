import FireflyCore
import FireflyHTTPClient
import FireflyJSON
import FoundationEssentials

extension ProviderClient {
    /// One finding of `check()`: what was looked at, and whether it is fine.
    public struct Finding: Sendable {
        public let ok: Bool
        public let text: String
    }

    /// Fetches discovery and the signing keys the way a login would and reports what is missing or
    /// wrong (for `firefly-admin provider check`); never prints a secret.
    public func check() -> [Finding] {
        var findings: [Finding] = []
        let document: [String: JSONValue]
        do {
            let response = try HTTPClient(options: HTTPClientOptions(timeoutMilliseconds: 10_000, userAgent: "firefly-admin")).send(HTTPRequest(url: discoveryURL))
            guard response.status == 200, let object = JSONValue.object(response.body) else {
                return [Finding(ok: false, text: "discovery \(discoveryURL): status \(response.status), not a JSON document")]
            }
            document = object
            findings.append(Finding(ok: true, text: "discovery \(discoveryURL): fetched"))
        } catch {
            return [Finding(ok: false, text: "discovery \(discoveryURL): unreachable (\(error))")]
        }
        let problems = Self.discoveryProblems(document, issuer: settings.issuer)
        findings += problems.map { Finding(ok: false, text: $0) }
        if problems.isEmpty { findings.append(Finding(ok: true, text: "issuer \(settings.issuer); authorization, token and JWKS endpoints present; PKCE S256")) }
        findings.append(Finding(ok: true,
                                text: "userinfo endpoint: \(document["userinfo_endpoint"]?.string ?? "none (email and groups must then be in the ID token)")"))
        findings.append(Finding(ok: true, text: "end-session endpoint: \(document["end_session_endpoint"]?.string ?? "none (sign-out ends FireFly's session only)")"))
        let methods = document["token_endpoint_auth_methods_supported"]?.strings ?? ["client_secret_basic"]
        let usable = methods.contains("client_secret_basic") || methods.contains("client_secret_post")
        findings.append(Finding(ok: usable, text: "token endpoint client authentication: \(methods.joined(separator: ", "))"))
        if let jwks = document["jwks_uri"]?.string {
            findings.append(checkKeys(jwks))
        }
        findings.append(Finding(ok: true, text: "email addresses without email_verified count as \(settings.trustEmail ? "verified (TRUST_EMAIL)" : "unverified")"))
        return findings
    }

    private func checkKeys(_ url: String) -> Finding {
        do {
            let response = try HTTPClient(options: HTTPClientOptions(timeoutMilliseconds: 10_000, userAgent: "firefly-admin")).send(HTTPRequest(url: url))
            guard response.status == 200, case .array(let keys)? = JSONValue.object(response.body)?["keys"] else {
                return Finding(ok: false, text: "JWKS \(url): status \(response.status), no keys")
            }
            let usable = keys.compactMap { key -> String? in
                guard case .object(let fields) = key, let type = fields["kty"]?.string, ["RSA", "EC"].contains(type) else { return nil }
                return "\(type)/\(fields["alg"]?.string ?? "?")"
            }
            guard !usable.isEmpty else { return Finding(ok: false, text: "JWKS \(url): no RSA or EC signing key (FireFly accepts RS256, PS256, ES256)") }
            return Finding(ok: true, text: "JWKS \(url): \(usable.count) signing key(s): \(usable.joined(separator: ", "))")
        } catch {
            return Finding(ok: false, text: "JWKS \(url): unreachable (\(error))")
        }
    }
}
