import FoundationEssentials

/// A configuration problem, named.
public struct SimConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
