import FireflyCore
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity
import FireflyJSON
import FireflySettings
import FireflyPostgres
import FoundationEssentials

/// RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted (quotes doubled); NULL is an
/// empty field; lines end with CRLF.
enum CSV {
    static func field(_ value: String?) -> String {
        guard let value else { return "" }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) || value.first == " " || value.last == " " else { return value }
        return "\"" + value.replacing("\"", with: "\"\"") + "\""
    }

    static func line(_ values: [String?]) -> String { values.map(field).joined(separator: ",") + "\r\n" }

    static func rows(_ rows: [[String?]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for row in rows { bytes += Array(line(row).utf8) }
        return bytes
    }
}
