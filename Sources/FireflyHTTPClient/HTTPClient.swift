import CCurl

/// A blocking HTTP client over one libcurl easy handle: connections are reused between calls.
/// Not thread-safe; give each thread its own. Redirects are never followed.
public final class HTTPClient {
    private static let globalInit: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    private let handle: UnsafeMutableRawPointer
    private let options: HTTPClientOptions

    public init(options: HTTPClientOptions = HTTPClientOptions()) throws {
        guard Self.globalInit, let handle = curl_easy_init() else {
            throw HTTPClientError(code: -1, message: "libcurl could not be initialised")
        }
        self.handle = handle
        self.options = options
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends `request` and returns the response; throws `HTTPClientError` when no response came.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try perform(request, upload: nil)
    }

    /// Sends `request` with a body produced piece by piece (`next` returns an empty array at the
    /// end), so a large body is never held in memory. `length` becomes the Content-Length.
    /// A failure of `next` aborts the transfer and is rethrown.
    public func send(_ request: HTTPRequest, length: Int64, next: @escaping () throws -> [UInt8]) throws -> HTTPResponse {
        let source = UploadSource(next: next)
        do {
            return try perform(request, upload: (source, length))
        } catch {
            if let failure = source.failure { throw failure }
            throw error
        }
    }

    /// Sends `request` and hands the response body to `consume` piece by piece instead of keeping
    /// it (the returned response has an empty body), so a large download is never held in memory.
    /// `consume` answers false to abort the transfer (the call then throws).
    public func send(_ request: HTTPRequest, consume: @escaping ([UInt8]) -> Bool) throws -> HTTPResponse {
        try perform(request, upload: nil, consume: consume)
    }

    private func perform(_ request: HTTPRequest, upload: (source: UploadSource, length: Int64)?, consume: (([UInt8]) -> Bool)? = nil) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let sink = ResponseSink()
        sink.consume = consume
        let unmanagedSink = Unmanaged.passRetained(sink)
        defer { unmanagedSink.release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        if request.body != nil || upload != nil, !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
            headerList = curl_slist_append(headerList, "Expect:")
        }
        defer { curl_slist_free_all(headerList) }
        var resolveList: UnsafeMutablePointer<curl_slist>?
        for entry in options.resolve { resolveList = curl_slist_append(resolveList, entry) }
        defer { curl_slist_free_all(resolveList) }

        firefly_curl_setopt_string(handle, CURLOPT_URL, request.url)
        firefly_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        if request.method == "HEAD" { firefly_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        firefly_curl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent)
        firefly_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, options.timeoutMilliseconds)
        firefly_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedBytesPerSecond)
        firefly_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.lowSpeedSeconds)
        firefly_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
        firefly_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        firefly_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        if options.http1Only { firefly_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)) }
        if let caFile = options.caFile { firefly_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if resolveList != nil { firefly_curl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList) }
        firefly_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        firefly_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanagedSink.toOpaque())
        firefly_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanagedSink.toOpaque())
        firefly_curl_setopt_write_function(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
            if let consume = sink.consume {
                return consume(Array(bytes)) ? size * count : 0  // 0 makes libcurl abort
            }
            sink.body.append(contentsOf: bytes)
            return size * count
        }
        firefly_curl_setopt_header_function(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            sink.addHeaderLine(Array(UnsafeRawBufferPointer(start: data, count: size * count)))
            return size * count
        }

        var unmanagedSource: Unmanaged<UploadSource>?
        if let upload {
            let retained = Unmanaged.passRetained(upload.source)
            unmanagedSource = retained
            firefly_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            firefly_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
            firefly_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.length))
            firefly_curl_setopt_pointer(handle, CURLOPT_READDATA, retained.toOpaque())
            firefly_curl_setopt_read_function(handle) { buffer, size, count, context in
                guard let buffer, let context else { return 0x1000_0000 }  // CURL_READFUNC_ABORT
                let source = Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue()
                let capacity = size * count
                guard let piece = source.take(maximum: capacity) else { return 0x1000_0000 }
                piece.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: raw.count) }
                }
                return piece.count
            }
        }
        defer { unmanagedSource?.release() }
        let code: CURLcode = try withBody(request.body) { bodyPointer, bodyCount in
            if let bodyPointer {
                firefly_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyCount))
                firefly_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bodyPointer))
            }
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            throw HTTPClientError(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
        }
        var status = 0
        firefly_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private func withBody<T>(_ body: [UInt8]?, _ perform: (UnsafeRawPointer?, Int) throws -> T) throws -> T {
        guard let body else { return try perform(nil, 0) }
        return try body.withUnsafeBytes { raw in
            // An empty array may have no storage; curl still needs a valid pointer for a zero-length body.
            try perform(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), raw.count)
        }
    }
}

/// Feeds an upload to libcurl's read callback from a producer of pieces.
private final class UploadSource {
    private let next: () throws -> [UInt8]
    private var pending: [UInt8] = []
    private var offset = 0
    private var finished = false
    private(set) var failure: (any Error)?

    init(next: @escaping () throws -> [UInt8]) { self.next = next }

    /// Up to `maximum` bytes; empty at the end; nil when the producer failed (abort).
    func take(maximum: Int) -> [UInt8]? {
        if offset >= pending.count, !finished {
            do {
                pending = try next()
                offset = 0
                if pending.isEmpty { finished = true }
            } catch {
                failure = error
                return nil
            }
        }
        guard offset < pending.count else { return [] }
        let end = min(pending.count, offset + maximum)
        defer { offset = end }
        return Array(pending[offset..<end])
    }
}

/// Collects the response while libcurl runs (the callbacks' context object).
private final class ResponseSink {
    var body: [UInt8] = []
    /// When set, body pieces go here instead of into `body` (false aborts the transfer).
    var consume: (([UInt8]) -> Bool)?
    var headers: [(name: String, value: String)] = []

    func addHeaderLine(_ bytes: [UInt8]) {
        var line = String(decoding: bytes, as: UTF8.self)
        while line.last == "\n" || line.last == "\r" || line.last == "\r\n" { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            headers.removeAll()  // a new response (after 100 Continue): keep only the final one's headers
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        headers.append((name, String(value)))
    }
}
