import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// CSRF defence for state-changing requests.
extension Identity {
    /// CSRF defence for a state-changing request: FireFly's own origin (`Origin`, or
    /// `Sec-Fetch-Site: same-origin` when a browser sends no Origin) and the session's token in
    /// `X-CSRF-Token`. Returns why the request is refused, or nil when it passes.
    public func csrfRefusal(headers: [String: String], session: SessionInfo) -> String? {
        let sameOrigin: Bool
        if let origin = headers["origin"] {
            sameOrigin = origin == settings.publicOrigin
        } else {
            sameOrigin = headers["sec-fetch-site"] == "same-origin"
        }
        guard sameOrigin else { return "Cross-origin request refused." }
        guard let token = headers["x-csrf-token"], ConstantTime.equal(Array(token.utf8), Array(session.csrfToken.utf8)) else {
            return "Missing or wrong X-CSRF-Token header."
        }
        return nil
    }
}
