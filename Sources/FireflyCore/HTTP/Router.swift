/// A route table: method + path pattern → handler. Patterns are literal segments and `{name}`
/// captures (`/api/catalogs/{catalog}/schemas`); a capture matches exactly one decoded segment,
/// so an encoded slash stays inside its segment. `HEAD` is served by the `GET` handler.
public struct Router<Handler: Sendable>: Sendable {
    /// A matched route.
    public struct Match: Sendable {
        /// The handler.
        public let handler: Handler
        /// The pattern as written, e.g. `/api/catalogs/{catalog}` (used in logs and metrics).
        public let pattern: String
        /// Captured segments by name.
        public let parameters: [String: String]
    }

    /// The outcome of routing a request.
    public enum Outcome: Sendable {
        case matched(Match)
        /// The path exists but not with this method; the methods that do exist.
        case methodNotAllowed([String])
        case notFound
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case capture(String)
    }

    private struct Route: Sendable {
        let method: String
        let pattern: String
        let segments: [Segment]
        let handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route. A pattern must start with `/`; `{name}` captures one segment.
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        precondition(pattern.hasPrefix("/"), "route patterns start with /")
        let segments: [Segment] = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") { return .capture(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        precondition(!routes.contains { $0.method == method && $0.segments == segments }, "duplicate route \(method) \(pattern)")
        routes.append(Route(method: method.uppercased(), pattern: pattern, segments: segments, handler: handler))
    }

    /// Finds the route for `method` and decoded `segments`. Literal routes win over captures.
    public func route(method: String, segments: [String]) -> Outcome {
        let candidates = routes.compactMap { route -> (Route, [String: String])? in
            captures(of: route, in: segments).map { (route, $0) }
        }
        guard !candidates.isEmpty else { return .notFound }
        let wanted = method == "HEAD" ? ["HEAD", "GET"] : [method]
        let matching = candidates.filter { wanted.contains($0.0.method) }
        // More literal segments win; between equals, a route for the exact method (HEAD) beats GET.
        if let best = matching.max(by: { (literalCount($0.0), $0.0.method == method ? 1 : 0) < (literalCount($1.0), $1.0.method == method ? 1 : 0) }) {
            return .matched(Match(handler: best.0.handler, pattern: best.0.pattern, parameters: best.1))
        }
        var allowed = Set(candidates.map(\.0.method))
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return .methodNotAllowed(allowed.sorted())
    }

    private func captures(of route: Route, in segments: [String]) -> [String: String]? {
        guard route.segments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (pattern, value) in zip(route.segments, segments) {
            switch pattern {
            case .literal(let literal): guard literal == value else { return nil }
            case .capture(let name):
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }

    private func literalCount(_ route: Route) -> Int {
        route.segments.reduce(0) { count, segment in
            if case .literal = segment { return count + 1 }
            return count
        }
    }
}
