@testable import FireflyLogging
import Logging
import Testing

@Suite("One log format")
struct LogFormatTests {
    @Test("a line: fields sorted, values quoted only when needed")
    func line() {
        let line = LogfmtLogHandler.line(level: .warning, label: "firefly-proxy", message: "slow request",
                                         fields: ["status": "200", "path": "/a b", "app": "x"], timestamp: "T", priorityPrefix: false)
        #expect(line == #"ts=T level=warning logger=firefly-proxy msg="slow request" app=x path="/a b" status=200"# + "\n")
    }

    @Test("journald priority prefixes", arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func priority(level: Logger.Level, expected: Int) {
        let line = LogfmtLogHandler.line(level: level, label: "l", message: "m", fields: [:], timestamp: "T", priorityPrefix: true)
        #expect(line.hasPrefix("<\(expected)>ts=T level=\(level) "))
    }

    @Test("newlines and quotes cannot forge a second line")
    func escaping() {
        #expect(LogfmtLogHandler.quote("a\nlevel=error msg=\"x\"") == #""a\nlevel=error msg=\"x\"""#)
        // Other control characters (a terminal escape, a line separator) are escaped the JSON way.
        #expect(LogfmtLogHandler.quote("\u{1b}[31mred\u{2028}") == #""\u001b[31mred\u2028""#)
        #expect(LogfmtLogHandler.quote("plain") == "plain")
    }
}
