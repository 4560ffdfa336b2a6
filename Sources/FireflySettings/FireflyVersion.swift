/// FireFly's release version, shown by every command's `--version` and built into the package.
public enum FireflyVersion {
    public static let current = "0.9.0"
}
