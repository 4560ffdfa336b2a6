import ArgumentParser
import FireflyCore
import FireflyCrypto
import FireflyGateway
import FireflyHTTPClient
import FireflyIdentity
import FireflyJSON
import FireflyPostgres
import FoundationEssentials

extension FireflyAdminCommand.Organization {
    /// `firefly-admin org test-spn SLUG`: a real client-credentials exchange with the organization's
    /// service principal, then one Unity Catalog call with the token. Prints outcomes, never a secret
    /// or a token; the token is not cached.
    struct TestSPN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test-spn",
                                                        abstract: "Check the organization's service principal: a token exchange and a catalogs call (nothing secret printed).")
        @OptionGroup var options: ConfigurationOptions
        @Argument var slug: String

        func run() async throws {
            let (connection, _) = try await options.connect()
            let row = try connection.query("""
                SELECT o.workspace_url, c.client_id, c.secret_enc
                FROM organizations o LEFT JOIN spn_credentials c ON c.organization_id = o.id WHERE o.slug = \(slug)
                """)
            guard row.rows.count == 1 else { throw ValidationError("no organization named \(slug)") }
            guard let workspace = row.value("workspace_url") else { throw ValidationError("\(slug) has no workspace: firefly-admin org set-workspace") }
            guard let clientID = row.value("client_id"), let sealed = row.value("secret_enc") else {
                throw ValidationError("\(slug) has no service principal: firefly-admin org set-spn")
            }
            let configuration = try await options.load()
            func note(_ outcome: String, _ step: String) { try? options.record(connection, action: "org.test-spn", detail: "org=\(slug) \(step)", outcome: outcome) }
            let secret: String
            do {
                secret = try await options.vault().open(sealed, purpose: "spn-secret")
            } catch {
                note("failed", "secret")
                print("secret: cannot be opened with the vault key (was it sealed with a retired key? firefly-admin vault status)")
                throw ExitCode(1)
            }
            let http = try HTTPClient(options: HTTPClientOptions(caFile: configuration.gateway.caFile, timeoutMilliseconds: 15_000, userAgent: "firefly-admin"))
            let exchange: HTTPResponse
            do {
                exchange = try http.send(SPNTokenRequest.make(workspaceURL: workspace, clientID: clientID, secret: secret))
            } catch {
                note("failed", "unreachable")
                print("token exchange: \(workspace) cannot be reached: \(error)")
                throw ExitCode(1)
            }
            guard let (token, lifetime) = SPNTokenRequest.token(in: exchange) else {
                note("failed", "token exchange refused")
                print("token exchange: refused (HTTP \(exchange.status), \(SPNTokenRequest.refusal(in: exchange)))")
                throw ExitCode(1)
            }
            print("token exchange: ok (client \(clientID), expires in \(lifetime) s)")
            let catalogs = try http.send(HTTPRequest(url: workspace + "/api/2.1/unity-catalog/catalogs?max_results=50",
                                                     headers: [("Authorization", "Bearer \(token)")]))
            guard catalogs.status == 200 else {
                note("failed", "catalogs refused")
                print("catalogs: refused (HTTP \(catalogs.status)\(JSONValue.object(catalogs.body)?["error_code"]?.string.map { ", \($0)" } ?? ""))")
                throw ExitCode(1)
            }
            var count = 0
            if case .array(let listed)? = JSONValue.object(catalogs.body)?["catalogs"] { count = listed.count }
            note("ok", "catalogs=\(count)")
            print("catalogs: ok (\(count) visible to the service principal)")
        }
    }
}
