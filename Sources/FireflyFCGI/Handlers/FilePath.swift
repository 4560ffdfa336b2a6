import FireflyCore
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity

/// A file or folder a caller names: `/Volumes/<catalog>/<schema>/<volume>/<path…>` or
/// `dbfs:/<path…>`. Segments may not be empty, `.`, `..`, or hold control characters.
enum FilePath: Equatable {
    case volume(segments: [String], display: String)
    case dbfs(path: String, display: String)

    /// Parses `raw`; a volume path needs at least `minimumVolumeDepth` segments after `/Volumes/`
    /// (3 names the volume itself, 4 a file in it).
    static func parse(_ raw: String?, minimumVolumeDepth: Int = 4) throws -> FilePath {
        guard let raw, !raw.isEmpty, raw.utf8.count <= 4096 else { throw APIError.badRequest("path is required.", code: "invalid_path") }
        let text = raw.count > 1 && raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        if text.hasPrefix("/Volumes/"), let parts = segments(text.dropFirst("/Volumes/".count)), parts.count >= minimumVolumeDepth {
            return .volume(segments: parts, display: text)
        }
        if text.hasPrefix("dbfs:/"), let parts = segments(text.dropFirst("dbfs:/".count)), !parts.isEmpty {
            return .dbfs(path: "/" + parts.joined(separator: "/"), display: text)
        }
        let what = minimumVolumeDepth <= 3 ? "<volume>[/<folder>]" : "<volume>/<file>"
        throw APIError.badRequest("path must be /Volumes/<catalog>/<schema>/\(what) or dbfs:/<path>.", code: "invalid_path")
    }

    private static func segments(_ text: Substring) -> [String]? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f } }) else { return nil }
        return parts
    }

    /// The Files API path of volume segments: `/Volumes/c/s/v/…`, each segment percent-encoded.
    static func apiPath(_ segments: [String]) -> String {
        "/Volumes/" + segments.map(FormEncoding.component).joined(separator: "/")
    }

    var display: String {
        switch self { case .volume(_, let text), .dbfs(_, let text): return text }
    }

    /// The last segment.
    var name: String {
        display.split(separator: "/").last.map(String.init) ?? display
    }

    /// DBFS is one file system for every organization of a workspace: only the folders
    /// `FIREFLY_DBFS_ALLOWED_PREFIXES` opens to the caller's organization; the folder itself counts
    /// only where a folder is meant (a listing), never as the name of a file.
    func authorize(for context: RequestContext, gateway: Gateway, folderItself: Bool = false) throws {
        guard case .dbfs(let path, _) = self else { return }
        let organization = context.session?.organizationSlug ?? ""
        let allowed = gateway.settings.dbfsAllowedPrefixes.map { $0.replacing("{org}", with: organization) }
        let full = "dbfs:" + path
        guard !organization.isEmpty, allowed.contains(where: { full.hasPrefix($0) || (folderItself && (full + "/").hasPrefix($0)) }) else {
            let hint = allowed.isEmpty ? "DBFS is not enabled." : "DBFS is open to \(allowed.joined(separator: ", ")) only."
            throw APIError(status: 403, code: "dbfs_path_not_allowed", message: "This DBFS path is not open to your organization. " + hint)
        }
    }

    /// A `Content-Disposition` naming the file: a plain ASCII fallback and the exact UTF-8 name (RFC 6266).
    static func attachment(_ name: String) -> String {
        let fallback = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(FormEncoding.component(name))"
    }
}
