import Hummingbird

/// One API endpoint: its key (for counters and faults), whether it needs a bearer token, and its handler.
struct Route {
    let endpoint: String
    let authenticated: Bool
    let handler: @Sendable (WorkspaceSimulator, WorkspaceSimulator.Call) async throws -> Response
}

extension WorkspaceSimulator {
    /// The route for a method and decoded path, or nil (404 ENDPOINT_NOT_FOUND).
    func route(for method: HTTPRequest.Method, _ s: [String]) -> Route? {
        func api(_ endpoint: String, _ handler: @escaping @Sendable (WorkspaceSimulator, Call) async throws -> Response) -> Route {
            Route(endpoint: endpoint, authenticated: true, handler: handler)
        }
        func open(_ endpoint: String, _ handler: @escaping @Sendable (WorkspaceSimulator, Call) async throws -> Response) -> Route {
            Route(endpoint: endpoint, authenticated: false, handler: handler)
        }
        let m = method
        switch s.count {
        case 2 where s == [".well-known", "databricks-config"] && m == .get: return open("host-metadata") { $0.hostMetadata($1) }
        case 3 where s[0] == "oidc" && s[1] == ".well-known" && ["oauth-authorization-server", "openid-configuration"].contains(s[2]) && m == .get:
            return open("oidc-discovery") { $0.discovery($1) }
        case 3 where s == ["oidc", "v1", "token"] && m == .post: return open("token") { try await $0.token($1) }
        default: break
        }
        if s.count >= 4, s[0] == "sim", s[1] == "presigned" {
            let rest = Array(s.dropFirst(2))
            return open("presigned.\(rest[0])") { try await $0.presignedTransfer(rest, $1) }
        }
        if s == ["sim", "apps", "authorize"], m == .get { return open("apps.authorize") { try $0.authorizeAppRequest($1) } }
        if s.count >= 2, s[0] == "sim", s[1] == "admin" {
            switch (m, Array(s.dropFirst(2))) {
            case (.get, ["counters"]): return open("admin.counters") { $0.adminCounters($1) }
            case (.post, ["counters", "reset"]): return open("admin.reset") { $0.adminReset($1) }
            case (.get, ["faults"]): return open("admin.faults") { $0.adminFaults($1) }
            case (.put, ["faults"]): return open("admin.faults") { try await $0.adminSetFaults($1) }
            case (.post, ["revoke"]): return open("admin.revoke") { try await $0.adminRevoke($1) }
            default: return nil
            }
        }
        guard s.count >= 3, s[0] == "api" else { return nil }
        let rest = Array(s.dropFirst(2))
        switch s[1] {
        case "2.1" where rest.first == "unity-catalog" && m == .get && (rest.count == 2 || rest.count == 3):
            let kind = rest[1]
            guard ["catalogs", "schemas", "tables", "volumes"].contains(kind) else { return nil }
            if rest.count == 2 { return api("\(kind).list") { try $0.listSecurables(kind, $1) } }
            let name = rest[2]
            return api("\(kind).get") { try $0.getSecurable(kind, name: name, $1) }
        case "2.0":
            return route20(m, rest, api)
        default:
            return nil
        }
    }

    private func route20(_ m: HTTPRequest.Method, _ r: [String],
                         _ api: (String, @escaping @Sendable (WorkspaceSimulator, Call) async throws -> Response) -> Route) -> Route? {
        switch r.first {
        case "sql":
            guard r.count >= 2, r[1] == "statements" else { return nil }
            switch (m, r.count) {
            case (.post, 2): return api("statements.execute") { try await $0.executeStatement($1) }
            case (.get, 3): let id = r[2]; return api("statements.get") { try $0.getStatement(id, $1) }
            case (.post, 4) where r[3] == "cancel": let id = r[2]; return api("statements.cancel") { try $0.cancelStatement(id, $1) }
            case (.get, 6) where r[3] == "result" && r[4] == "chunks":
                let id = r[2], chunk = r[5]
                return api("statements.chunk") { try $0.getChunk(id, chunk, $1) }
            default: return nil
            }
        case "fs":
            guard r.count >= 2 else { return nil }
            let path = "/" + r.dropFirst(2).joined(separator: "/")
            if r.count == 2, m == .post, r[1] == "create-upload-part-urls" { return api("files.create-upload-part-urls") { try await $0.presignedURLs("upload", $1) } }
            if r.count == 2, m == .post, r[1] == "create-abort-upload-url" { return api("files.create-abort-upload-url") { try await $0.presignedURLs("abort", $1) } }
            switch (r[1], m) {
            case ("files", .post): return api("files.action") { try await $0.fileAction(path, $1) }
            case ("files", .put): return api("files.put") { try await $0.putFile(path, $1) }
            case ("files", .get): return api("files.get") { try $0.getFile(path, $1, head: false) }
            case ("files", .head): return api("files.head") { try $0.getFile(path, $1, head: true) }
            case ("files", .delete): return api("files.delete") { try $0.deleteFile(path, $1) }
            case ("directories", .put): return api("directories.put") { try $0.createDirectory(path, $1) }
            case ("directories", .get): return api("directories.get") { try $0.listDirectory(path, $1) }
            case ("directories", .head): return api("directories.head") { try $0.headDirectory(path, $1) }
            case ("directories", .delete): return api("directories.delete") { try $0.deleteDirectory(path, $1) }
            default: return nil  // presigned download URLs are not offered (the SDK falls back to GET)
            }
        case "dbfs":
            guard r.count == 2 else { return nil }
            let operation = r[1]
            let reads = ["get-status", "list", "read"], writes = ["put", "create", "add-block", "close", "delete", "mkdirs", "move"]
            guard (m == .get && reads.contains(operation)) || (m == .post && writes.contains(operation)) else { return nil }
            return api("dbfs.\(operation)") { try await $0.dbfs(operation, $1) }
        case "apps":
            switch (m, r.count) {
            case (.get, 1): return api("apps.list") { try $0.listApps($1) }
            case (.get, 2): let name = r[1]; return api("apps.get") { try $0.getApp(name, $1) }
            default: return nil
            }
        default:
            return nil
        }
    }
}
