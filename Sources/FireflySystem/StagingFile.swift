#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// An upload's staged copy: appended in order, made durable by `sync()`, read back at any offset,
/// with byte-array I/O (no pointers for callers).
///
/// Its bytes go around the page cache (`O_DIRECT`) where the file system allows it. A staged copy
/// is written once and read once, so caching it only pushes out pages other work needs, and filling
/// fresh cache pages costs far more CPU than handing the disk an aligned buffer (on the test host,
/// about 3 s against 0.2 s per GiB). Direct I/O needs block-aligned offsets, lengths and memory:
/// the few bytes of a chunk that do not fill a whole block (where it starts and ends) go through
/// the page cache; so does everything where direct I/O is refused (it is then never tried again
/// for this file). One instance serves one thread (reads and writes share its buffer).
public final class StagingFile {
    /// How to open.
    public enum Mode: Sendable {
        /// Existing file, read only.
        case read
        /// Existing file (created when missing), written from its end on.
        case append(permissions: mode_t)
    }

    /// Offsets, lengths and buffer addresses of direct I/O are multiples of this (a page: a
    /// multiple of every common device's logical block size).
    public static let alignment = 4096
    /// Bytes gathered before they are written out, and the most one read moves.
    static let bufferSize = 512 * 1024

    public let path: String
    /// Through the page cache.
    private var cachedFD: Int32
    /// With `O_DIRECT`, or -1 where the file system refuses it.
    private var directFD: Int32 = -1
    private let buffer: UnsafeMutableRawPointer
    /// Bytes in `buffer` not yet written, and the file offset of the first.
    private var pending = 0
    private var pendingOffset: Int64 = 0

    /// Bytes written around the page cache, and through it (a chunk's partial blocks, or all of
    /// them where direct I/O is refused).
    public private(set) var bytesWrittenDirectly: Int64 = 0
    public private(set) var bytesWrittenThroughCache: Int64 = 0

    /// Opens `path`; `direct: false` never tries direct I/O.
    public init(path: String, mode: Mode, direct: Bool = true) throws {
        let flags: Int32
        let permissions: mode_t
        switch mode {
        case .read:
            flags = O_RDONLY | O_CLOEXEC
            permissions = 0
        case .append(let mode):
            flags = O_WRONLY | O_CREAT | O_CLOEXEC
            permissions = mode
        }
        let descriptor = open(path, flags, permissions)
        guard descriptor >= 0 else { throw SystemError("open(\(path))") }
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, Self.alignment, Self.bufferSize) == 0, let memory else {
            Glibc.close(descriptor)
            throw SystemError("posix_memalign", code: ENOMEM)
        }
        cachedFD = descriptor
        buffer = memory
        self.path = path
        if direct {
            // Refused (EINVAL) by file systems without direct I/O: then everything is cached.
            directFD = open(path, (flags & ~O_CREAT) | firefly_open_direct_flag())
        }
        if case .append = mode { pendingOffset = try size() }
    }

    deinit {
        close()
        free(buffer)
    }

    /// True while bytes go around the page cache.
    public var isDirect: Bool { directFD >= 0 }

    /// Appends `bytes` (written out in aligned blocks as they gather; the rest by `sync()`).
    public func write(_ bytes: [UInt8]) throws {
        var index = 0
        while index < bytes.count {
            let count = min(Self.bufferSize - pending, bytes.count - index)
            bytes.withUnsafeBytes { source in
                guard let base = source.baseAddress else { return }
                (buffer + pending).copyMemory(from: base + index, byteCount: count)
            }
            pending += count
            index += count
            if pending == Self.bufferSize { try writeOut(everything: false) }
        }
    }

    /// Writes out what is gathered and flushes the file to stable storage.
    public func sync() throws {
        try writeOut(everything: true)
        guard fsync(cachedFD) == 0 else { throw SystemError("fsync(\(path))") }
    }

    /// Cuts the file to `length` bytes, dropping what is gathered; appends continue from there.
    public func truncate(to length: Int64) throws {
        pending = 0
        pendingOffset = length
        guard ftruncate(cachedFD, off_t(length)) == 0 else { throw SystemError("ftruncate(\(path))") }
    }

    /// The file's size on disk (appended bytes count from the `sync()` that wrote them).
    public func size() throws -> Int64 {
        var info = stat()
        guard fstat(cachedFD, &info) == 0 else { throw SystemError("fstat(\(path))") }
        return Int64(info.st_size)
    }

    /// Reads up to `count` bytes at `offset`; fewer at the end of the file, none past it.
    public func read(at offset: Int64, count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var position = offset
        let end = offset + Int64(count)
        while position < end {
            let alignment = Int64(isDirect ? Self.alignment : 1)
            let start = position - position % alignment
            let wanted = Int(min(end - start, Int64(Self.bufferSize)))
            let length = (wanted + Int(alignment) - 1) / Int(alignment) * Int(alignment)
            let got = pread(isDirect ? directFD : cachedFD, buffer, length, off_t(start))
            if got < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL, isDirect { stopDirectIO(); continue }
                throw SystemError("read(\(path))")
            }
            let skip = Int(position - start)
            guard got > skip else { break }
            let usable = min(got - skip, Int(end - position))
            result.append(contentsOf: UnsafeRawBufferPointer(start: buffer + skip, count: usable))
            position += Int64(usable)
            if got < length { break }
        }
        return result
    }

    /// Closes now (also done on deinit); bytes still gathered are dropped.
    public func close() {
        if cachedFD >= 0 { Glibc.close(cachedFD) }
        cachedFD = -1
        stopDirectIO()
    }

    /// Writes the gathered bytes: up to the first block boundary through the page cache, whole
    /// blocks directly, and (with `everything`) the last partial block through the page cache.
    private func writeOut(everything: Bool) throws {
        let lead = Int(pendingOffset % Int64(Self.alignment))
        if !isDirect || lead != 0 {
            let head = isDirect ? min(Self.alignment - lead, pending) : pending
            try writeAll(cachedFD, count: head)
        }
        while isDirect, pending >= Self.alignment {
            do {
                try writeAll(directFD, count: pending / Self.alignment * Self.alignment)
            } catch let error as SystemError where error.code == EINVAL {
                stopDirectIO()
            }
        }
        if everything || !isDirect { try writeAll(cachedFD, count: pending) }
    }

    /// Writes the first `count` gathered bytes at their offset and moves the rest to the front of
    /// the buffer (keeping it aligned for the next direct write).
    private func writeAll(_ fd: Int32, count: Int) throws {
        var written = 0
        while written < count {
            let result = pwrite(fd, buffer + written, count - written, off_t(pendingOffset) + off_t(written))
            if result <= 0 {
                if result < 0, errno == EINTR { continue }
                // A write that moves nothing would loop forever: an I/O error.
                let error = SystemError("write(\(path))", code: result < 0 ? errno : EIO)
                consume(written, directly: fd == directFD)
                throw error
            }
            written += result
        }
        consume(written, directly: fd == directFD)
    }

    private func consume(_ count: Int, directly: Bool) {
        guard count > 0 else { return }
        if directly { bytesWrittenDirectly += Int64(count) } else { bytesWrittenThroughCache += Int64(count) }
        pending -= count
        pendingOffset += Int64(count)
        if pending > 0 { buffer.copyMemory(from: buffer + count, byteCount: pending) }
    }

    private func stopDirectIO() {
        if directFD >= 0 { Glibc.close(directFD) }
        directFD = -1
    }
}
