import FireflySettings
import Configuration
import FoundationEssentials
import Logging
import SystemPackage

/// Limits every request is held to.
public struct RequestLimits: Sendable, Equatable {
    public var slowThresholdMilliseconds: Int
    public var timeoutMilliseconds: Int
    public var maxHeaderBytes: Int
    public var maxBodyBytes: Int
}
