import FireflyCore
import FireflyCrypto
import FireflyHTTPClient
import FireflySettings
import FireflyJSON
import FireflyPostgres
import FireflySystem
import FoundationEssentials
import Logging

/// Who a Databricks call is made for (audit and isolation).
public struct Caller: Sendable {
    public let userID: Int64
    public let organizationID: Int64
    public let requestID: String

    public init(userID: Int64, organizationID: Int64, requestID: String) {
        self.userID = userID
        self.organizationID = organizationID
        self.requestID = requestID
    }
}
