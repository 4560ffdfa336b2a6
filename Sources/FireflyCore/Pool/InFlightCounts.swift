/// Fair use inside one worker process: how many API requests each user and each organization have
/// in flight, and whether one more may start. A user past their limit, or an organization past its
/// own, is refused (429) while other organizations keep finding free threads. Pure value type: the
/// worker wraps it in a lock.
public struct InFlightCounts: Sendable, Equatable {
    public let userLimit: Int
    public let organizationLimit: Int
    private var users: [Int64: Int] = [:]
    private var organizations: [Int64: Int] = [:]
    /// Requests in flight in this process, all users together.
    public private(set) var total = 0

    public init(userLimit: Int, organizationLimit: Int) {
        self.userLimit = userLimit
        self.organizationLimit = organizationLimit
    }

    /// Why a request may not start now.
    public enum Refusal: Sendable, Equatable {
        case user
        case organization
    }

    /// Counts a request of `user` in `organization` in, or says why it may not start.
    public mutating func begin(user: Int64, organization: Int64) -> Refusal? {
        if users[user, default: 0] >= userLimit { return .user }
        if organizations[organization, default: 0] >= organizationLimit { return .organization }
        users[user, default: 0] += 1
        organizations[organization, default: 0] += 1
        total += 1
        return nil
    }

    /// Counts a request that `begin` let start out again.
    public mutating func end(user: Int64, organization: Int64) {
        guard users[user] != nil, organizations[organization] != nil else { return }
        Self.decrement(&users, user)
        Self.decrement(&organizations, organization)
        total -= 1
    }

    /// Requests `user` has in flight.
    public func inFlight(user: Int64) -> Int { users[user, default: 0] }

    private static func decrement(_ counts: inout [Int64: Int], _ key: Int64) {
        guard let current = counts[key] else { return }
        counts[key] = current > 1 ? current - 1 : nil
    }
}
