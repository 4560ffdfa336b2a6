/// A configuration problem that stops start-up; the message always names the key.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The key at fault, e.g. `FIREFLY_POOL_WORKERS`.
    public let key: String
    /// What is wrong with it.
    public let problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "\(key): \(problem)" }
}
