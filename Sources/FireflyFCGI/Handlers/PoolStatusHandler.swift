import FireflyCore
import FireflySystem

/// `/pool-status`: the master's JSON status document, for loopback clients only (nginx also
/// restricts the location; this is the second lock on the door).
enum PoolStatusHandler {
    static let fileName = "pool-status.json"

    static let handler: Handler = { context in
        guard context.request.isFromLoopback else {
            throw APIError.forbidden("The pool status is only available from the host itself.")
        }
        guard let document = FileDescriptors.readFile(context.configuration.runtimeDirectory + "/" + fileName) else {
            throw APIError.serviceUnavailable("The pool status document is not written yet.", retryAfterSeconds: 1)
        }
        return Response.rawJSON(document, headers: [("Cache-Control", "no-store")])
    }
}
