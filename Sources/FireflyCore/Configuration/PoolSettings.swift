import FireflySettings
import Configuration
import FoundationEssentials
import Logging
import SystemPackage

/// Worker pool shape and timing.
public struct PoolSettings: Sendable, Equatable {
    public var workers: Int
    public var threadsPerWorker: Int
    public var maxRequests: Int
    public var keepAliveIdleTimeoutMilliseconds: Int
    public var drainTimeoutMilliseconds: Int
    public var startTimeoutMilliseconds: Int
}
