import FireflyCore
import FireflySystem

/// The worker's fair-use counts (``InFlightCounts``) under a lock: an API request of a user or an
/// organization past its in-flight limit is refused with 429 before it takes a thread for long.
final class FairUseGate: Sendable {
    private let counts: PlainLock<InFlightCounts>
    private let threads: Int

    init(limits: FairUseLimits, threads: Int) {
        counts = PlainLock(InFlightCounts(userLimit: limits.userRequests, organizationLimit: limits.organizationRequests))
        self.threads = threads
    }

    /// Counts the request in, or throws 429 with `Retry-After`. Returns whether at least half of the
    /// worker's threads were already serving API requests: long synchronous waits (a SQL
    /// statement's) then give way to polling. One lock per request, taken once.
    func begin(user: Int64, organization: Int64) throws -> Bool {
        let (refusal, busy) = counts.withLock { counts in
            (counts.begin(user: user, organization: organization), (counts.total - 1) * 2 >= threads)
        }
        guard let refusal else { return busy }
        let message = switch refusal {
        case .user: "You have too many requests in progress; try again in a moment."
        case .organization: "Your organization has too many requests in progress; try again in a moment."
        }
        throw APIError(status: 429, code: "too_many_requests", message: message, headers: [("Retry-After", "1")])
    }

    func end(user: Int64, organization: Int64) {
        counts.withLock { $0.end(user: user, organization: organization) }
    }
}
