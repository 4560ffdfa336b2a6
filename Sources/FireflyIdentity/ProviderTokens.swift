import FireflyCore
import FireflyHTTPClient
import FireflyJSON
import FoundationEssentials
import Logging
import Synchronization

/// The tokens a token endpoint returned.
public struct ProviderTokens: Sendable {
    public let idToken: String?
    public let accessToken: String?
    public let refreshToken: String?
}
