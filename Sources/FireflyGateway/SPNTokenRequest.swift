import FireflyHTTPClient
import FireflyJSON
import FoundationEssentials

/// A service principal's OAuth client-credentials exchange with its workspace:
/// `POST {workspace}/oidc/v1/token` with HTTP Basic, scope `all-apis`.
public enum SPNTokenRequest {
    /// The request for `clientID` with `secret` at `workspaceURL`.
    public static func make(workspaceURL: String, clientID: String, secret: String) -> HTTPRequest {
        let basic = Data((FormEncoding.component(clientID) + ":" + FormEncoding.component(secret)).utf8).base64EncodedString()
        return HTTPRequest(method: "POST", url: workspaceURL + "/oidc/v1/token",
                           headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")],
                           body: Array("grant_type=client_credentials&scope=all-apis".utf8))
    }

    /// The token and its lifetime in seconds from a successful answer (an hour when unsaid).
    public static func token(in response: HTTPResponse) -> (token: String, lifetime: Int)? {
        guard response.status == 200, let body = JSONValue.object(response.body), let token = body["access_token"]?.string else { return nil }
        return (token, Int(body["expires_in"]?.number ?? 3600))
    }

    /// The OAuth `error` of a refusal, else its HTTP status.
    public static func refusal(in response: HTTPResponse) -> String {
        JSONValue.object(response.body)?["error"]?.string ?? "status \(response.status)"
    }
}
