#if canImport(Glibc)
import Glibc
#endif

/// A file opened for streaming reads or writes with byte-array I/O (no pointers for callers).
public final class StreamFile: @unchecked Sendable {
    /// How to open.
    public enum Mode: Sendable {
        /// Existing file, read only.
        case read
        /// New or truncated file, write only.
        case createTruncate(permissions: mode_t)
        /// Existing file (created when missing), appending.
        case append(permissions: mode_t)
    }

    private var fd: Int32
    public let path: String

    public init(path: String, mode: Mode) throws {
        let descriptor: Int32
        switch mode {
        case .read: descriptor = open(path, O_RDONLY | O_CLOEXEC)
        case .createTruncate(let permissions): descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        case .append(let permissions): descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, permissions)
        }
        guard descriptor >= 0 else { throw SystemError("open(\(path))") }
        fd = descriptor
        self.path = path
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Writes every byte (retrying short writes).
    public func write(_ bytes: [UInt8]) throws {
        guard FileDescriptors.writeAll(fd, bytes) else { throw SystemError("write(\(path))") }
    }

    /// Reads up to `count` bytes at `offset`; fewer at the end of the file, none past it.
    public func read(at offset: Int64, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pread(fd, base + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemError("read(\(path))")
            }
            if got == 0 { break }
            filled += got
        }
        buffer.removeSubrange(filled...)
        return buffer
    }

    /// Cuts the file to `length` bytes (appends then continue from there).
    public func truncate(to length: Int64) throws {
        guard ftruncate(fd, off_t(length)) == 0 else { throw SystemError("ftruncate(\(path))") }
    }

    /// The file's current size.
    public func size() throws -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError("fstat(\(path))") }
        return Int64(info.st_size)
    }

    /// Flushes to stable storage.
    public func sync() throws {
        guard fsync(fd) == 0 else { throw SystemError("fsync(\(path))") }
    }

    /// Flushes a directory's entries to stable storage, so a file just created in it survives a crash.
    public static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError("open(\(path))") }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw SystemError("fsync(\(path))") }
    }

    /// Closes now (also done on deinit).
    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

