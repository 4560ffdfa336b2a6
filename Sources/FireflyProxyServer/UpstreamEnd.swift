import NIOCore
import NIOHTTP1

/// How an app connection ended an exchange early.
enum UpstreamEnd {
    case closed
    case failed(any Error)
    case timedOut
}
