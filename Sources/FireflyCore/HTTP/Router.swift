/// A route table: method + path pattern → handler. Patterns are literal segments and `{name}`
/// captures (`/api/catalogs/{catalog}/schemas`); a capture matches exactly one decoded segment,
/// so an encoded slash stays inside its segment. `HEAD` is served by the `GET` handler.
public struct Router<Handler: Sendable>: Sendable {
    /// A matched route.
    public struct Match: Sendable {
        @inlinable
        init(handler: Handler, pattern: String, parameters: [String: String]) {
            self.handler = handler
            self.pattern = pattern
            self.parameters = parameters
        }

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

    @usableFromInline
    enum Segment: Sendable, Equatable {
        case literal(String)
        case capture(String)
    }

    @usableFromInline
    struct Route: Sendable {
        @usableFromInline let method: String
        @usableFromInline let pattern: String
        @usableFromInline let segments: [Segment]
        /// How many segments are literal: more literal segments win.
        @usableFromInline let literalCount: Int
        @usableFromInline let handler: Handler

        /// True when every literal segment equals the request's (captures need a non-empty one);
        /// `segments` has this route's count.
        @inlinable
        func fits(_ segments: [String]) -> Bool {
            for index in self.segments.indices {
                switch self.segments[index] {
                case .literal(let literal): if literal != segments[index] { return false }
                case .capture: if segments[index].isEmpty { return false }
                }
            }
            return true
        }

        @inlinable
        func parameters(in segments: [String]) -> [String: String] {
            var parameters: [String: String] = [:]
            for index in self.segments.indices {
                if case .capture(let name) = self.segments[index] { parameters[name] = segments[index] }
            }
            return parameters
        }
    }

    /// The routes by their number of segments (a request is compared only with routes of its length).
    @usableFromInline
    var routesBySegmentCount: [Int: [Route]] = [:]

    public init() {}

    /// Adds a route. A pattern must start with `/`; `{name}` captures one segment.
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        precondition(pattern.hasPrefix("/"), "route patterns start with /")
        let segments: [Segment] = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") { return .capture(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        let method = method.uppercased()
        precondition(!(routesBySegmentCount[segments.count] ?? []).contains { $0.method == method && $0.segments == segments },
                     "duplicate route \(method) \(pattern)")
        let literalCount = segments.reduce(0) { count, segment in
            if case .literal = segment { return count + 1 }
            return count
        }
        routesBySegmentCount[segments.count, default: []].append(Route(method: method, pattern: pattern, segments: segments,
                                                                       literalCount: literalCount, handler: handler))
    }

    /// Finds the route for `method` and decoded `segments`. Literal routes win over captures;
    /// between equals, a route for the exact method (HEAD) beats GET, then the one added first.
    /// Inlinable, so the worker's call is specialised for its handler type (this runs per request).
    @inlinable
    public func route(method: String, segments: [String]) -> Outcome {
        guard let routes = routesBySegmentCount[segments.count] else { return .notFound }
        var best: Route?
        var bestRank = (literals: -1, exact: -1)
        var anyFits = false
        for route in routes where route.fits(segments) {
            anyFits = true
            let exact = route.method == method
            guard exact || (method == "HEAD" && route.method == "GET") else { continue }
            let rank = (literals: route.literalCount, exact: exact ? 1 : 0)
            if rank > bestRank { (best, bestRank) = (route, rank) }
        }
        if let best {
            return .matched(Match(handler: best.handler, pattern: best.pattern, parameters: best.parameters(in: segments)))
        }
        guard anyFits else { return .notFound }
        var allowed = Set(routes.filter { $0.fits(segments) }.map(\.method))
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return .methodNotAllowed(allowed.sorted())
    }
}
