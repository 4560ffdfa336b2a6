import FireflyCore
import Testing

@Suite("Notified cache: trusted only while listening, invalidations win over racing reads")
struct NotifiedCacheTests {
    @Test("nothing is cached or served while the listener is down; a listener change empties the cache")
    func listening() {
        let cache = NotifiedCache<String, Int>(lifetime: 60, capacity: 10)
        #expect(!cache.store("a", 1, ticket: cache.ticket(), now: 0))
        cache.setListening(true)
        #expect(cache.store("a", 1, ticket: cache.ticket(), now: 0))
        #expect(cache.lookup("a", now: 1) == 1)
        cache.setListening(false)
        #expect(cache.lookup("a", now: 1) == nil)
        cache.setListening(true)
        #expect(cache.lookup("a", now: 1) == nil)
    }

    @Test("a read that began before an invalidation never stores what it found (the revoked-session race)")
    func ticketsLoseToInvalidations() {
        let cache = NotifiedCache<String, Int>(lifetime: 60, capacity: 10)
        cache.setListening(true)
        let racing = cache.ticket()     // a worker starts loading the session…
        cache.invalidate("a")           // …the logout's notification arrives…
        #expect(!cache.store("a", 1, ticket: racing, now: 0))  // …the load's result is not cached
        #expect(cache.lookup("a", now: 0) == nil)
        #expect(cache.store("a", 2, ticket: cache.ticket(), now: 0))
        let stale = cache.ticket()
        cache.invalidate { key, _ in key == "b" }
        #expect(!cache.store("a", 3, ticket: stale, now: 0), "an older read does not overwrite")
        #expect(cache.lookup("a", now: 0) == 2)
    }

    @Test("a listener that stops proving itself alive puts the cache in doubt: nothing is served until it answers again")
    func doubt() {
        let cache = NotifiedCache<String, Int>(lifetime: 600, capacity: 10)
        cache.setListening(true, now: 100)
        #expect(cache.store("a", 1, ticket: cache.ticket(), now: 100))
        #expect(cache.lookup("a", now: 104) == 1)
        #expect(cache.lookup("a", now: 106) == nil)   // a half-open connection delivers no invalidation
        #expect(!cache.store("b", 2, ticket: cache.ticket(), now: 106))
        cache.confirmAlive(now: 106)
        #expect(cache.lookup("a", now: 107) == 1)
    }

    @Test("entries live at most their lifetime; capacity bounds the memory; lifetime 0 disables")
    func bounds() {
        let cache = NotifiedCache<Int, Int>(lifetime: 60, capacity: 3)
        cache.setListening(true)
        #expect(cache.store(1, 1, ticket: cache.ticket(), now: 100))
        #expect(cache.lookup(1, now: 159) == 1)
        #expect(cache.lookup(1, now: 160) == nil)
        for key in 2...5 { cache.store(key, key, ticket: cache.ticket(), now: 100) }
        #expect([1, 2, 3, 4, 5].compactMap { cache.lookup($0, now: 101) }.count <= 3)
        let off = NotifiedCache<Int, Int>(lifetime: 0, capacity: 3)
        off.setListening(true)
        #expect(!off.store(1, 1, ticket: off.ticket(), now: 0))
        #expect(!off.isEnabled)
    }
}
