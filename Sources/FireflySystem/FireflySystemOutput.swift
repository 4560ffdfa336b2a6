#if canImport(Glibc)
import Glibc
#endif

/// Writing to the standard streams without Foundation.
public enum FireflySystemOutput {
    /// Writes `text` to standard error in one call.
    public static func writeStandardError(_ text: String) {
        FileDescriptors.writeAll(2, Array(text.utf8))
    }
}
