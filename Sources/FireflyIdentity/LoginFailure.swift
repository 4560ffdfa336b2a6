import FireflySettings
import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflyJSON
import FireflyPostgres
import FoundationEssentials
import Logging

/// A login or session failure with the status and a message safe to show to the user.
public struct LoginFailure: Error, Sendable {
    public let status: Int
    public let code: String
    public let message: String
    /// Who was refused, when the provider had said who they are (for the audit row).
    public var actor: String?

    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
