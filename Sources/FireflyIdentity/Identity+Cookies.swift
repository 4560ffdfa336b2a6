import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// The session cookie: setting, clearing and reading it.
extension Identity {
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
        // Bytes, not characters: this runs on every signed-in request.
        let prefix = Array((name + "=").utf8)
        for pair in header.utf8.split(separator: UInt8(ascii: ";")) {
            let trimmed = pair.drop { $0 == UInt8(ascii: " ") }
            if trimmed.starts(with: prefix) {
                let value = trimmed.dropFirst(prefix.count)
                return value.isEmpty ? nil : String(Substring(value))
            }
        }
        return nil
    }
}
