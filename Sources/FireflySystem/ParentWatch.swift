import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A child process's tie to its parent: the kernel sends `signal` to it when the parent dies
/// (`PR_SET_PDEATHSIG`), so no worker serves on, orphaned, after its master is gone.
public enum ParentWatch {
    /// Asks for `signal` on the parent's death; true when the parent is still `expectedParent`
    /// afterwards (it may have died before the request took effect).
    public static func signalOnParentDeath(_ signal: Int32, expectedParent: pid_t) -> Bool {
        _ = firefly_set_parent_death_signal(signal)
        return getppid() == expectedParent
    }

    /// The parent process's id.
    public static var parent: pid_t { getppid() }
}
