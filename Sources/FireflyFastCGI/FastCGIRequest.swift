import CFastCGI

/// One libfcgi request slot, reused for every request a thread serves. It reads the request from a
/// connection the caller accepted, exposes parameters and body, and writes the response.
public final class FastCGIRequest {
    private static let libraryReady: Bool = FCGX_Init() == 0

    // FCGX_Request must not move: its streams point back at it.
    private let request: UnsafeMutablePointer<FCGX_Request>

    public init() {
        precondition(Self.libraryReady, "libfcgi could not be initialised")
        request = .allocate(capacity: 1)
        // A listening socket of -1: libfcgi must never accept by itself; the caller owns accepting,
        // so that it can stop and time out idle kept connections.
        FCGX_InitRequest(request, -1, 0)
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
    }

    /// Reads the next request from connection `fd` (a new one, or the one kept open from the last
    /// request). False when the peer closed it or sent something that is not FastCGI; the
    /// connection is then closed.
    public func begin(onConnection fd: Int32) -> Bool {
        request.pointee.ipcFd = fd
        // FCGX_Accept_r first "finishes" the previous request and would close a connection it was
        // not told to keep; the BEGIN_REQUEST record read next sets the real keep-alive flag.
        request.pointee.keepConnection = 1
        return FCGX_Accept_r(request) == 0
    }

    /// The connection kept open by the web server after `finish()` (`FCGI_KEEP_CONN`), if any.
    public var keptConnection: Int32? {
        request.pointee.ipcFd >= 0 ? request.pointee.ipcFd : nil
    }

    /// The parameters of the current request.
    public func parameters() -> CGIParameters {
        var entries: [[UInt8]] = []
        var cursor = request.pointee.envp
        while let pointer = cursor, let entry = pointer.pointee {
            entries.append(Array(UnsafeRawBufferPointer(start: entry, count: strlen(entry))))
            cursor = pointer + 1
        }
        return CGIParameters(rawEntries: entries)
    }

    /// Reads up to `maximum` body bytes; an empty array means the body has ended.
    public func readBody(maximum: Int) -> [UInt8] {
        guard maximum > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { raw in
            FCGX_GetStr(raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count), request.pointee.in)
        }
        return count > 0 ? Array(buffer[0..<Int(count)]) : []
    }

    /// Writes response bytes (CGI head first, then body); false once the connection failed.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        let written = bytes.withUnsafeBytes { raw in
            FCGX_PutStr(raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count), request.pointee.out)
        }
        return written == Int32(bytes.count)
    }

    /// Ends the request (flushes and sends END_REQUEST). The connection stays open when the web
    /// server asked to keep it; see `keptConnection`.
    public func finish() {
        FCGX_Finish_r(request)
    }

    /// Cuts the connection of a response that cannot be completed (its head is already out): the
    /// web server sees the upstream fail before the end of the response and passes the failure on
    /// (a chunked download ends without its last chunk), so a client never takes a cut body for a
    /// whole one. The connection must not be reused afterwards.
    public func abort() {
        if request.pointee.ipcFd >= 0 { shutdown(request.pointee.ipcFd, Int32(SHUT_RDWR)) }
    }

    /// Closes a kept connection.
    public func closeConnection() {
        FCGX_Free(request, 1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
