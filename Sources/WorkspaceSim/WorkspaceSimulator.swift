import FoundationEssentials
import Hummingbird
import Logging

/// The simulated Databricks workspace: state plus the HTTP front (Hummingbird) that dispatches
/// every request by path, counts it, applies injected faults, checks the bearer token, and answers
/// in Databricks' shapes.
public final class WorkspaceSimulator: Sendable {
    let configuration: SimConfiguration
    let tokens: TokenIssuer
    let counters = Counters()
    let faults: FaultInjector
    let warehouse: Warehouse
    let statements: StatementRunner
    let files: FileStore
    let multipart: MultipartUploads
    let logger: Logger

    /// Prepares the data directory (sample data, volumes, DBFS root); can take a few seconds the
    /// first time for large datasets.
    public init(configuration: SimConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        tokens = TokenIssuer(principals: configuration.service_principals, lifetime: configuration.token_lifetime_seconds)
        faults = FaultInjector(configuration.faults)
        let warehouse = Warehouse(dataDirectory: configuration.data_directory)
        self.warehouse = warehouse
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try SampleData.ensure(warehouse: warehouse, dataset: configuration.dataset, now: now)
        var schemas: Set<String> = ["main.default"]
        for volume in configuration.volumes {
            let parts = volume.lowercased().split(separator: ".")
            schemas.insert("\(parts[0]).\(parts[1])")
        }
        for schema in schemas {
            let parts = schema.split(separator: ".").map(String.init)
            if !FileManager.default.fileExists(atPath: warehouse.databasePath(catalog: parts[0], schema: parts[1])) {
                try warehouse.createSchema(catalog: parts[0], schema: parts[1])
            }
        }
        statements = StatementRunner(warehouse: warehouse, chunkBytes: configuration.result_chunk_bytes,
                                     concurrency: configuration.warehouse_concurrency, onSchemaChange: {})
        files = try FileStore(dataDirectory: configuration.data_directory, volumes: configuration.volumes)
        multipart = MultipartUploads(dataDirectory: configuration.data_directory)
    }

    /// Serves until cancelled (SIGTERM/SIGINT end it gracefully). `onReady` gets the bound port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        guard let address = configuration.listenAddress else { throw SimConfigurationError("listen: bad address") }
        let responder = CallbackResponder<BasicRequestContext> { [self] request, context in
            await self.respond(request)
        }
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? address.port) },
            logger: logger)
        try await application.runService()
    }

    /// Context handed to each handler.
    struct Call {
        let request: Request
        /// Decoded path segments.
        let segments: [String]
        let requestID: String
        var principal: SimConfiguration.ServicePrincipal?
        var query: [String: String]

        func queryValue(_ name: String) -> String? { query[name] }
    }

    /// Top-level dispatch: never throws; every failure becomes a Databricks error response.
    func respond(_ request: Request) async -> Response {
        let requestID = UUID().uuidString.lowercased()
        guard let segments = Self.decodePath(request.uri.path) else {
            return APIError.invalidParameter("The request path is not valid.").response(requestID: requestID)
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            query[Self.percentDecode(String(key)) ?? String(key)] = String(value)
        }
        var call = Call(request: request, segments: segments, requestID: requestID, principal: nil, query: query)
        do {
            guard let route = route(for: request.method, segments) else {
                throw APIError.endpointNotFound(request.uri.path)
            }
            if route.endpoint.hasPrefix("admin.") {
                try checkAdmin(request)
                return try await route.handler(self, call)
            }
            counters.countRequest(route.endpoint)
            let (latency, decision) = faults.decide(route.endpoint)
            if latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
            if case .fail(let status, let retryAfter) = decision {
                var error: APIError
                switch status {
                case 429: error = APIError(.tooManyRequests, "REQUEST_LIMIT_EXCEEDED", "Your request was rejected since your organization has exceeded the rate limit. Please retry your request later.")
                case 503: error = APIError(.serviceUnavailable, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable. Please try again later.")
                default: error = APIError(.internalServerError, "INTERNAL_ERROR", "Injected internal error.")
                }
                if let retryAfter { error.headers[.retryAfter] = "\(retryAfter)" }
                throw error
            }
            if route.authenticated {
                call.principal = try authenticate(request)
            }
            return try await route.handler(self, call)
        } catch let error as APIError {
            return error.response(requestID: requestID)
        } catch {
            logger.warning("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError(.internalServerError, "INTERNAL_ERROR", "Internal error.").response(requestID: requestID)
        }
    }

    private func authenticate(_ request: Request) throws -> SimConfiguration.ServicePrincipal {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else {
            throw APIError(.unauthorized, "UNAUTHENTICATED", "Credential was not sent or was of an unsupported type for this API.")
        }
        guard let principal = tokens.principal(forToken: String(header.dropFirst(7))) else { throw APIError.unauthenticated }
        return principal
    }

    private func checkAdmin(_ request: Request) throws {
        guard let expected = configuration.admin_token else { return }
        guard request.headers.contains(where: { $0.name.canonicalName == "x-sim-admin-token" && $0.value == expected }) else {
            throw APIError(.forbidden, "PERMISSION_DENIED", "Admin calls need X-Sim-Admin-Token.")
        }
    }

    // MARK: Paths

    /// Splits and percent-decodes a path; nil for invalid escapes or UTF-8.
    static func decodePath(_ path: String) -> [String]? {
        var parts: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            guard let part = percentDecode(String(raw)) else { return nil }
            parts.append(part)
        }
        return parts
    }

    static func percentDecode(_ text: String) -> String? {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
