import Dispatch
import FireflyCrypto
import FireflyJSON
import FoundationEssentials
import JWTKit
import Synchronization

/// Runs async work from a plain (non-async) worker thread and waits for it.
enum Blocking {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { throw IdentityError.provider("internal: no result") }
        return try result.get()
    }
}
