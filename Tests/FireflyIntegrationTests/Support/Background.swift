import FireflyCore
import FireflyHTTPClient
import FireflySettings
import FireflySystem
import FireflyMetrics
import Foundation
import Testing

/// Work on a plain thread (tests block on I/O; the cooperative pool must stay free).
final class Background<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    /// Waits for the work and returns its value or throws its error.
    func value() throws -> T {
        done.wait()
        done.signal()
        guard let result else { throw StackError("background work vanished") }
        return try result.get()
    }
}
