/// One documented configuration key: its name, its default as text (nil = required) and what it
/// controls. The README's tables list every key, and a unit test holds them to it.
public struct SettingKey: Sendable {
    /// The name, e.g. `FIREFLY_POOL_WORKERS`.
    public let name: String
    /// The default as text, or nil when the key is required.
    public let defaultValue: String?
    /// What it controls.
    public let meaning: String

    public init(name: String, defaultValue: String?, meaning: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.meaning = meaning
    }
}
