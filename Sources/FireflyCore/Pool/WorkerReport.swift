/// A line a worker writes to the master over its status pipe.
public enum WorkerReport: Sendable, Equatable {
    /// All threads are accepting.
    case ready
    /// Current counters.
    case stats(busy: Int, idle: Int, accepted: Int)
    /// The worker reached `max_requests` and drains; start its replacement now.
    case recycle

    /// Parses one line (without the newline); nil for anything else.
    public init?(line: Substring) {
        let words = line.split(separator: " ")
        switch words.first {
        case "ready" where words.count == 1: self = .ready
        case "recycle" where words.count == 1: self = .recycle
        case "stats" where words.count == 4:
            guard let busy = Int(words[1]), let idle = Int(words[2]), let accepted = Int(words[3]),
                  busy >= 0, idle >= 0, accepted >= 0 else { return nil }
            self = .stats(busy: busy, idle: idle, accepted: accepted)
        default: return nil
        }
    }
}
