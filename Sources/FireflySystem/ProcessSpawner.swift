#if canImport(Glibc)
import Glibc
#endif

/// Starts programs with `posix_spawn` (never `fork()` of a threaded process).
public enum ProcessSpawner {
    /// Spawns `executable` with `arguments` (without argv[0]) and `environment`; each pair of
    /// `descriptors` maps a descriptor of this process onto a number in the child. The child gets
    /// an empty signal mask and default signal dispositions.
    public static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        descriptors: [(source: Int32, target: Int32)] = []
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for mapping in descriptors {
            // dup2 onto the same number would keep FD_CLOEXEC; callers pass descriptors above the targets.
            posix_spawn_file_actions_adddup2(&actions, mapping.source, mapping.target)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        let status = withCStringArray(argv) { argvPointer in
            withCStringArray(envp) { envPointer in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointer, envPointer)
            }
        }
        guard status == 0 else { throw SystemError("posix_spawn(\(executable))", code: status) }
        return pid
    }

    /// The absolute path of the running executable.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments.first ?? "" }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func withCStringArray<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { duplicated.forEach { free($0) } }
        return duplicated.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { fatalError("empty argument vector") }
            return body(base)
        }
    }
}
