/// Decides how long to wait before replacing a crashed worker. A single crash is replaced at once;
/// a storm (several crashes within `window`) backs off exponentially up to `maximumDelay`, so a
/// worker that dies on start-up does not spin the CPU, and the storm is logged once per change.
public struct RestartThrottle: Sendable {
    /// Crashes inside this many milliseconds count together.
    public let windowMilliseconds: UInt64
    /// Crashes tolerated in the window before backing off.
    public let burst: Int
    /// The longest delay.
    public let maximumDelayMilliseconds: UInt64
    private var crashTimes: [UInt64] = []

    public init(windowMilliseconds: UInt64 = 10_000, burst: Int = 5, maximumDelayMilliseconds: UInt64 = 5_000) {
        self.windowMilliseconds = windowMilliseconds
        self.burst = burst
        self.maximumDelayMilliseconds = maximumDelayMilliseconds
    }

    /// Records a crash at `nowMilliseconds` (monotonic) and returns the delay before the respawn.
    public mutating func recordCrash(atMilliseconds now: UInt64) -> UInt64 {
        crashTimes.append(now)
        crashTimes.removeAll { now - $0 > windowMilliseconds }
        let excess = crashTimes.count - burst
        guard excess > 0 else { return 0 }
        let delay = UInt64(100) << UInt64(min(excess - 1, 16))
        return min(delay, maximumDelayMilliseconds)
    }

    /// Crashes inside the current window.
    public var recentCrashes: Int { crashTimes.count }
}
