import FireflyCrypto
import FireflySystem
import Foundation

/// The whole chain a user triggers by opening an app: FireFly (pool) lists the organization's apps
/// and mints an embed URL with its service principal's token → nginx → `firefly-proxy` → an app
/// host that, like Databricks Apps, accepts only tokens the workspace issued to a principal allowed
/// on that app (`scripts/app-upstream --authorize`, asking the simulator) → jupyter-server.
/// acme (org-a) may use `notebook` (an AWS-style host) and `reports` (Azure-style, one label more);
/// globex (org-b) may use `ledger` only.
final class AppChain: @unchecked Sendable {
    static let hosts = ["notebook": "notebook-1.aws.databricksapps.test", "reports": "reports-1.1.azure.databricksapps.test",
                        "ledger": "ledger-2.aws.databricksapps.test"]
    let gateway: GatewayStack
    let upstreamDirectory: String
    let upstreamPort: Int
    let proxyLogPath: String
    private let keyFile: String
    private var proxy: ChildProcess?
    private var stopped = false

    init(_ name: String, settings: [String: String] = [:], simulatorSettings: [String: Any] = [:]) throws {
        keyFile = "/tmp/ff-chain-key-\(UInt32.random(in: 0...UInt32.max))"
        try (Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) }) + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        let apps: [[String: Any]] = [
            ["name": "notebook", "url": "https://" + (Self.hosts["notebook"] ?? ""), "description": "Jupyter for acme", "permitted_principals": ["org-a"]],
            ["name": "reports", "url": "https://" + (Self.hosts["reports"] ?? ""), "description": "Jupyter at an Azure-style host", "permitted_principals": ["org-a"]],
            ["name": "ledger", "url": "https://" + (Self.hosts["ledger"] ?? ""), "description": "globex's own", "permitted_principals": ["org-b"]],
        ]
        gateway = try GatewayStack(name, settings: ["FIREFLY_APP_PROXY_KEY_FILE": keyFile, "FIREFLY_APP_PROXY_BASE_URL": "https://apps.localhost:{https_port}"]
                                   .merging(settings) { $1 }, simulatorSettings: simulatorSettings.merging(["apps": apps]) { $1 })
        let stack = gateway.world.stack
        upstreamDirectory = stack.directory + "/app-upstream"
        upstreamPort = try LoopbackPort.findFree()
        proxyLogPath = stack.directory + "/proxy.log"
        do {
            try Shell.succeed(TestStack.repository + "/scripts/app-upstream", [
                "start", upstreamDirectory, "--port", "\(upstreamPort)", "--authorize", gateway.simulator.baseURL,
                "--jupyter-port", "\(try LoopbackPort.findFree())",
            ])
            proxy = try AppProxyStack.launchProxy(stack: stack, keyFile: keyFile, caFile: upstreamDirectory + "/ca.pem",
                                                  resolve: Self.hosts.values.sorted().map { "\($0):443=127.0.0.1:\(upstreamPort)" }, logPath: proxyLogPath)
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    var proxyLog: String { (try? String(contentsOfFile: proxyLogPath, encoding: .utf8)) ?? "" }
    var upstreamAccessLog: String { (try? String(contentsOfFile: upstreamDirectory + "/access.log", encoding: .utf8)) ?? "" }

    func shutdown() {
        guard !stopped else { return }
        stopped = true
        if let proxy, proxy.isRunning {
            proxy.send(SIGTERM)
            if !eventually(within: 10, { !proxy.isRunning }) { proxy.send(SIGKILL) }
            _ = proxy.waitForExit()
        }
        _ = try? Shell.run(TestStack.repository + "/scripts/app-upstream", ["stop", upstreamDirectory])
        try? FileManager.default.removeItem(atPath: keyFile)
    }
}
