import FireflyCore

/// Errors callers see, in FireFly's envelope; details stay in the log.
enum GatewayError {
    static func notConfigured() -> APIError {
        APIError(status: 503, code: "workspace_not_configured", message: "Your organization has no Databricks workspace or service principal configured yet; ask your administrator.")
    }
    static func tokenExchangeFailed() -> APIError {
        APIError(status: 502, code: "spn_token_failed", message: "FireFly could not sign in to Databricks with your organization's service principal. Try again shortly; if it persists, ask your administrator.")
    }
    static func unreachable() -> APIError {
        APIError(status: 502, code: "databricks_unavailable", message: "Databricks did not answer properly. Try again shortly.")
    }
    static func busy(retryAfter: Int) -> APIError {
        APIError(status: 503, code: "databricks_busy", message: "Databricks is busy; try again shortly.", headers: [("Retry-After", "\(retryAfter)")])
    }
}
