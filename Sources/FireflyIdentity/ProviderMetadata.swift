import FireflyCore
import FireflyHTTPClient
import FireflyJSON
import FoundationEssentials
import Logging
import Synchronization

/// What a provider's discovery document says (the fields FireFly uses).
public struct ProviderMetadata: Sendable {
    public let issuer: String
    public let authorizationEndpoint: String
    public let tokenEndpoint: String
    public let jwksURI: String
    public let userinfoEndpoint: String?
    public let endSessionEndpoint: String?
    /// True when the provider accepts client_secret_basic (the default when it does not say).
    public let acceptsBasicAuth: Bool
}
