#if canImport(Glibc)
import Glibc
#endif

/// Delivers process signals as bytes on a pipe (the self-pipe trick), so a supervisor loop can wait
/// for signals and descriptors together and do no work inside a signal handler. Works whichever
/// thread the kernel picks to run the handler.
public enum SignalPipe {
    // Written once by `install` before any handler can run, then only read by the handler.
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    /// Installs handlers for `signals` (with `SA_RESTART`) and returns the pipe's read end.
    public static func install(_ signals: [Int32]) throws -> Int32 {
        if readEnd < 0 {
            let ends = try FileDescriptors.pipe()
            try FileDescriptors.setNonBlocking(ends.read, true)
            try FileDescriptors.setNonBlocking(ends.write, true)
            readEnd = ends.read
            writeEnd = ends.write
        }
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                let saved = errno
                _ = write(SignalPipe.writeEnd, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
        return readEnd
    }

    /// The signals received since the last call, in order.
    public static func drain() -> [Int32] {
        guard readEnd >= 0 else { return [] }
        var received: [Int32] = []
        while let bytes = FileDescriptors.readAvailable(readEnd, limit: 64), !bytes.isEmpty {
            received += bytes.map { Int32($0) }
        }
        return received
    }
}
