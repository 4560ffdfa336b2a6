import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// Which organization a signed-in user belongs to, by the organization rules.
extension Identity {
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
}
