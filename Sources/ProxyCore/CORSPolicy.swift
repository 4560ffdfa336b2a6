import FireflySettings
import FoundationEssentials

/// CORS for configured origins only: preflights are answered by the proxy itself.
public enum CORSPolicy {
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// The allowed origin a request names, if any.
    public static func allowedOrigin(_ fields: [HeaderField], allowed: Set<String>) -> String? {
        guard let origin = fields.first(where: { $0.name.isField("origin") })?.value.lowercased(), allowed.contains(origin) else { return nil }
        return origin
    }

    /// True for a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`).
    public static func isPreflight(method: String, fields: [HeaderField]) -> Bool {
        method == "OPTIONS" && fields.contains { $0.name.isField("access-control-request-method") }
            && fields.contains { $0.name.isField("origin") }
    }

    /// The answer to a preflight: 204 with the allowed method and headers for an allowed origin,
    /// 403 otherwise.
    public static func preflight(fields: [HeaderField], allowed: Set<String>) -> (status: Int, fields: [HeaderField]) {
        let requested = fields.first { $0.name.isField("access-control-request-method") }?.value ?? ""
        guard let origin = allowedOrigin(fields, allowed: allowed), methods.contains(requested) else { return (403, [("Vary", "Origin")]) }
        var result: [HeaderField] = [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"),
                                     ("Access-Control-Allow-Methods", requested), ("Access-Control-Max-Age", "600"), ("Vary", "Origin")]
        let headers = fields.filter { $0.name.isField("access-control-request-headers") }.map(\.value).joined(separator: ",")
            .split(separator: ",").map { $0.trimmingSpaces.lowercased() }
            .filter { ProxiedHeaders.isPlainFieldName($0) && !ProxiedHeaders.isIdentityField($0) && $0 != "cookie" }
        if !headers.isEmpty { result.append(("Access-Control-Allow-Headers", headers.joined(separator: ", "))) }
        return (204, result)
    }
}
