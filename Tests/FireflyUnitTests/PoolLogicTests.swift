import FireflyCore
import Testing

@Suite("Pool supervision logic")
struct PoolLogicTests {
    @Test("single crashes are replaced at once; a storm backs off up to the cap")
    func throttle() {
        var throttle = RestartThrottle(windowMilliseconds: 10_000, burst: 3, maximumDelayMilliseconds: 1_000)
        #expect(throttle.recordCrash(atMilliseconds: 1_000) == 0)
        #expect(throttle.recordCrash(atMilliseconds: 1_100) == 0)
        #expect(throttle.recordCrash(atMilliseconds: 1_200) == 0)
        #expect(throttle.recordCrash(atMilliseconds: 1_300) == 100)
        #expect(throttle.recordCrash(atMilliseconds: 1_400) == 200)
        #expect(throttle.recordCrash(atMilliseconds: 1_500) == 400)
        #expect(throttle.recordCrash(atMilliseconds: 1_600) == 800)
        #expect(throttle.recordCrash(atMilliseconds: 1_700) == 1_000)
        // Long after the storm, a crash is replaced at once again.
        #expect(throttle.recordCrash(atMilliseconds: 60_000) == 0)
        #expect(throttle.recentCrashes == 1)
    }

    @Test("worker reports", arguments: [
        ("ready", WorkerReport.ready),
        ("recycle", WorkerReport.recycle),
        ("stats 1 23 456", WorkerReport.stats(busy: 1, idle: 23, accepted: 456)),
    ])
    func reports(line: String, expected: WorkerReport) {
        #expect(WorkerReport(line: Substring(line)) == expected)
    }

    @Test("garbage reports are refused", arguments: ["", "stats 1 2", "stats a b c", "stats -1 2 3", "ready now", "launch"])
    func badReports(line: String) {
        #expect(WorkerReport(line: Substring(line)) == nil)
    }

    @Test("fair use: a user past their limit, or an organization past its own, waits; others go on; ends give room back")
    func fairUse() {
        var counts = InFlightCounts(userLimit: 2, organizationLimit: 3)
        #expect(counts.begin(user: 1, organization: 10) == nil)
        #expect(counts.begin(user: 1, organization: 10) == nil)
        #expect(counts.begin(user: 1, organization: 10) == .user)
        #expect(counts.begin(user: 2, organization: 10) == nil)
        #expect(counts.begin(user: 3, organization: 10) == .organization)
        #expect(counts.begin(user: 4, organization: 20) == nil)  // another organization is not held up
        #expect(counts.total == 4)
        counts.end(user: 1, organization: 10)
        #expect(counts.inFlight(user: 1) == 1)
        #expect(counts.begin(user: 3, organization: 10) == nil)
        // Ending what never began (or twice) never goes below zero nor frees someone else's room.
        counts.end(user: 9, organization: 99)
        #expect(counts.total == 4)
        for _ in 0..<5 { counts.end(user: 4, organization: 20) }
        #expect(counts.inFlight(user: 4) == 0)
        #expect(counts.begin(user: 1, organization: 10) == .organization)
    }
}
