import FireflyCore
import FireflySystem

/// Routes that exist only with `FIREFLY_TEST_ROUTES=true`: the test suite uses them to hold a
/// request in flight (drain, deadline) and to send bodies.
enum TestHandlers {
    /// `GET /api/_test/sleep?ms=N`: sleeps in small steps, honouring the request deadline (504).
    static let sleep: Handler = { context in
        guard let text = context.request.queryValue("ms"), let milliseconds = Int(text), (0...600_000).contains(milliseconds) else {
            throw APIError.badRequest("ms must be a whole number from 0 to 600000.")
        }
        var slept = 0
        while slept < milliseconds {
            try context.checkDeadline()
            let step = min(10, milliseconds - slept)
            MonotonicClock.sleep(milliseconds: step)
            slept += step
        }
        return try Response.json(["slept_ms": slept])
    }

    /// `POST /api/_test/echo`: answers the body's size (reads it through the limit checks).
    static let echo: Handler = { context in
        let body = try context.readBody()
        return try Response.json(["bytes": body.count])
    }
}
