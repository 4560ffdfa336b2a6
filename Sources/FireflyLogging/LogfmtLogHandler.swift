import FireflyJSON
import FireflySystem
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes one logfmt line per event to standard error, the same format for the pool, the proxy and
/// the admin tool: `ts=… level=info logger=… msg="request" request.id=… route=… status=200`.
/// Metadata keys are sorted so lines are stable and greppable. When standard error is the journal,
/// each line starts with its syslog priority (`<3>` for errors), so `journalctl -p err` finds them.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let priorityPrefix: Bool

    public init(label: String, level: Logger.Level, priorityPrefix: Bool = false) {
        self.label = label
        self.logLevel = level
        self.priorityPrefix = priorityPrefix
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        // One write(2) per line keeps lines whole when several threads and processes share stderr.
        FileDescriptors.writeAll(2, Array(Self.line(level: event.level, label: label, message: event.message.description, fields: fields,
                                                    timestamp: Self.timestamp(), priorityPrefix: priorityPrefix).utf8))
    }

    /// One formatted line, newline included.
    static func line(level: Logger.Level, label: String, message: String, fields: Logger.Metadata, timestamp: String, priorityPrefix: Bool) -> String {
        var line = priorityPrefix ? "<\(syslogPriority(level))>" : ""
        line += "ts=\(timestamp) level=\(level) logger=\(label) msg=\(quote(message))"
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            line += " \(key)=\(quote(value.description))"
        }
        return line + "\n"
    }

    /// The syslog priority of a level (journald's `PRIORITY`).
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Quotes a value when it has spaces, quotes, `=` or control characters, escaped as a JSON string.
    public static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.asciiValue.map { $0 < 0x20 } ?? false }
        guard needsQuotes else { return value }
        return JSONText.string(value)
    }

    private static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var parts = tm()
        var seconds = spec.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = Int32(spec.tv_nsec / 1_000_000)
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }

    /// Installs this handler for every logger of the process; priority prefixes when standard
    /// error is the journal (`JOURNAL_STREAM`).
    public static func bootstrap(level: Logger.Level, environment: [String: String]) {
        let journal = JournalStream.isStandardError(environment: environment)
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level, priorityPrefix: journal) }
    }
}
