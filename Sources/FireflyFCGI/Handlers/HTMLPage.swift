import FireflyCore
import FireflyHTTPClient
import FireflyIdentity
import FireflyJSON
import FoundationEssentials
import Logging

/// Minimal escaped HTML pages for the browser-facing errors of the login flow.
enum HTMLPage {
    static func escape(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }

    static func render(title: String, paragraphs: [String], link: (href: String, text: String), requestID: String) -> [UInt8] {
        let text = paragraphs.map { "<p>\(escape($0))</p>" }.joined()
        return Array("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title></head>
            <body><h1>\(escape(title))</h1>\(text)<p><a href="\(escape(link.href))">\(escape(link.text))</a></p>
            <p><small>Request id \(escape(requestID))</small></p></body></html>
            """.utf8)
    }
}
