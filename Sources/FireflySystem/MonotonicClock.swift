#if canImport(Glibc)
import Glibc
#endif

/// Monotonic and wall-clock readings without Foundation.
public enum MonotonicClock {
    /// Nanoseconds on the monotonic clock.
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Microseconds on the monotonic clock (what systemd's `MONOTONIC_USEC` wants).
    public static func microseconds() -> UInt64 {
        nanoseconds() / 1000
    }

    /// Seconds since the Unix epoch.
    public static func unixSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Sleeps for `milliseconds`.
    public static func sleep(milliseconds: Int) {
        guard milliseconds > 0 else { return }
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
