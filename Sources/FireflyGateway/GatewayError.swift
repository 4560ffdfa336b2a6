import FireflyCore

/// Errors callers see, in FireFly's envelope; details stay in the log.
enum GatewayError {
    static func notConfigured() -> APIError {
        APIError(status: 503, code: "workspace_not_configured", message: "Your organization has no Databricks workspace or service principal configured yet; ask your administrator.")
    }
    static func tokenExchangeFailed() -> APIError {
        APIError(status: 502, code: "spn_token_failed", message: "FireFly could not sign in to Databricks with your organization's service principal. Try again shortly; if it persists, ask your administrator.")
    }
    /// No answer at all (connection refused, reset, timed out) once the retry budget is spent:
    /// the workspace is down or restarting, so a 503 that says when to try again.
    static func unreachable() -> APIError {
        APIError(status: 503, code: "databricks_unreachable", message: "Databricks cannot be reached right now. Try again shortly.",
                 headers: [("Retry-After", "\(unreachableRetryAfterSeconds)")])
    }
    static let unreachableRetryAfterSeconds = 5
    /// An answer FireFly cannot use (a 5xx other than 503, say).
    static func badAnswer() -> APIError {
        APIError(status: 502, code: "databricks_unavailable", message: "Databricks did not answer properly. Try again shortly.")
    }
    static func busy(retryAfter: Int) -> APIError {
        APIError(status: 503, code: "databricks_busy", message: "Databricks is busy; try again shortly.", headers: [("Retry-After", "\(retryAfter)")])
    }
}
