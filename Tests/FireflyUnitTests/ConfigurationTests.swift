import FireflySettings
import FireflyCore
import FoundationEssentials
import ProxyCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    private let minimal = ["FIREFLY_DATABASE_URL": "host=/tmp dbname=firefly"]

    @Test("defaults apply when only the required key is set")
    func defaults() throws {
        let configuration = try FireflyConfiguration.load(environment: minimal)
        #expect(configuration.pool.workers == 4)
        #expect(configuration.pool.threadsPerWorker == 24)
        #expect(configuration.pool.keepAliveIdleTimeoutMilliseconds == 20_000)
        #expect(configuration.limits.maxHeaderBytes == 16 * 1024)
        #expect(configuration.limits.maxBodyBytes == 10 * 1024 * 1024)
        #expect(configuration.listenSocketMode == 0o660)
        #expect(configuration.testRoutesEnabled == false)
    }

    @Test("a missing required key stops start-up naming the key")
    func missingRequired() {
        #expect(throws: ConfigurationError(key: "FIREFLY_DATABASE_URL", problem: "is required but not set")) {
            try FireflyConfiguration.load(environment: [:])
        }
    }

    @Test("bad values name their key", arguments: [
        ("FIREFLY_POOL_WORKERS", "many"),
        ("FIREFLY_POOL_WORKERS", "0"),
        ("FIREFLY_POOL_THREADS", "-3"),
        ("FIREFLY_POOL_KEEPALIVE_IDLE_TIMEOUT", "20"),
        ("FIREFLY_REQUEST_TIMEOUT", "10 parsecs"),
        ("FIREFLY_REQUEST_MAX_BODY_BYTES", "ten"),
        ("FIREFLY_LISTEN_SOCKET", "relative/path.sock"),
        ("FIREFLY_LISTEN_SOCKET_MODE", "999"),
        ("FIREFLY_LOG_LEVEL", "loud"),
        ("FIREFLY_TEST_ROUTES", "maybe"),
        ("FIREFLY_DATABASE_PASSWORD_FILE", "relative"),
    ])
    func badValue(key: String, value: String) {
        var environment = minimal
        environment[key] = value
        do {
            _ = try FireflyConfiguration.load(environment: environment)
            Issue.record("\(key)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
            #expect(error.description.hasPrefix(key + ": "))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("units of durations and sizes")
    func units() throws {
        #expect(try ConfigValueParser.duration("250ms", key: "K", range: 0...100_000) == 250)
        #expect(try ConfigValueParser.duration("10s", key: "K", range: 0...100_000) == 10_000)
        #expect(try ConfigValueParser.duration("2m", key: "K", range: 0...1_000_000) == 120_000)
        #expect(try ConfigValueParser.byteSize("16k", key: "K", range: 0...(1 << 30)) == 16_384)
        #expect(try ConfigValueParser.byteSize("10M", key: "K", range: 0...(1 << 30)) == 10 << 20)
        #expect(try ConfigValueParser.byteSize("512", key: "K", range: 0...(1 << 30)) == 512)
        #expect(throws: ConfigurationError.self) { try ConfigValueParser.duration("99999999999999h", key: "K", range: 0...100) }
    }

    @Test("a password inside the database URL is refused", arguments: [
        "host=/tmp dbname=x password=hunter2",
        "postgresql://firefly:hunter2@db.example/firefly",
    ])
    func passwordInURL(url: String) {
        #expect(throws: ConfigurationError.self) {
            try FireflyConfiguration.load(environment: ["FIREFLY_DATABASE_URL": url])
        }
    }

    @Test("a URL with a user but no password is fine")
    func userWithoutPassword() throws {
        _ = try FireflyConfiguration.load(environment: ["FIREFLY_DATABASE_URL": "postgresql://firefly@db.example/firefly"])
    }

    @Test("the file is read, the environment overrides it, and workers receive resolved values")
    func fileAndEnvironment() async throws {
        let path = try temporaryFile("""
            # comment
            FIREFLY_DATABASE_URL=host=/tmp dbname=fromfile
            FIREFLY_POOL_WORKERS=3
            FIREFLY_POOL_THREADS=7
            """)
        let configuration = try await FireflyConfiguration.load(filePath: path, environment: ["FIREFLY_POOL_THREADS": "9"])
        #expect(configuration.database.url == "host=/tmp dbname=fromfile")
        #expect(configuration.pool.workers == 3)
        #expect(configuration.pool.threadsPerWorker == 9)
        let worker = try FireflyConfiguration.load(environment: configuration.resolvedValues)
        #expect(worker == configuration)
    }

    @Test("unknown keys and secrets in the file stop start-up", arguments: [
        ("FIREFLY_POOL_WORKRES=4", "FIREFLY_POOL_WORKRES"),
        ("FIREFLY_DATABASE_PASSWORD=hunter2", "FIREFLY_DATABASE_PASSWORD"),
        ("ENCRYPTION_KEY=00", "ENCRYPTION_KEY"),
    ])
    func fileLint(line: String, key: String) async throws {
        let path = try temporaryFile("FIREFLY_DATABASE_URL=host=/tmp\n\(line)\n")
        do {
            _ = try await FireflyConfiguration.load(filePath: path, environment: [:])
            Issue.record("accepted \(line)")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
        }
    }

    @Test("a missing configuration file is reported with its path")
    func missingFile() async {
        do {
            _ = try await FireflyConfiguration.load(filePath: "/nonexistent/firefly.conf", environment: minimal)
            Issue.record("accepted a missing file")
        } catch {
            #expect("\(error)".contains("/nonexistent/firefly.conf"))
        }
    }

    @Test("the database password comes from a file or a systemd credential, never the configuration")
    func passwordSources() throws {
        let directory = NSTemporaryDirectoryPath() + "/creds-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: directory + "/database-password", contents: Data("from-credential\n".utf8)))
        let viaCredential = try FireflyConfiguration.load(environment: minimal.merging(["CREDENTIALS_DIRECTORY": directory]) { $1 })
        #expect(try viaCredential.database.readPassword() == "from-credential")
        let explicit = try temporaryFile("from-file\n")
        let viaFile = try FireflyConfiguration.load(environment: minimal.merging(["FIREFLY_DATABASE_PASSWORD_FILE": explicit]) { $1 })
        #expect(try viaFile.database.readPassword() == "from-file")
        let unreadable = try FireflyConfiguration.load(environment: minimal.merging(["FIREFLY_DATABASE_PASSWORD_FILE": "/nonexistent/pw"]) { $1 })
        #expect(throws: ConfigurationError.self) { try unreadable.database.readPassword() }
    }

    private func temporaryFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectoryPath() + "/firefly-test-\(UInt64.random(in: 0...UInt64.max)).conf"
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) else {
            throw ConfigurationError(key: "test", problem: "cannot write \(path)")
        }
        return path
    }
}

private func NSTemporaryDirectoryPath() -> String { "/tmp" }

@Suite("README stays true")
struct ReadmeTests {
    @Test("every configuration key is documented in README.md")
    func everyKeyDocumented() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for key in ConfigurationKeys.all {
            #expect(text.contains("| `\(key.name)` |"), "\(key.name) is missing from README.md's configuration table")
        }
        for key in ProxyConfiguration.keys {
            #expect(text.contains("| `\(key.name)` |"), "\(key.name) is missing from README.md's app-proxy table")
        }
    }

    @Test("the package's example configuration files name every key")
    func examplesNameEveryKey() throws {
        let packaging = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("packaging/etc")
        let pool = try String(contentsOf: packaging.appendingPathComponent("firefly.conf"), encoding: .utf8)
        let proxy = try String(contentsOf: packaging.appendingPathComponent("proxy.conf"), encoding: .utf8)
        func names(_ text: String, _ key: String) -> Bool {
            text.split(separator: "\n").contains { $0.hasPrefix(key + "=") || $0.hasPrefix("#" + key + "=") }
        }
        for key in ConfigurationKeys.all { #expect(names(pool, key.name), "\(key.name) is missing from packaging/etc/firefly.conf") }
        for key in ProxyConfiguration.keys { #expect(names(proxy, key.name), "\(key.name) is missing from packaging/etc/proxy.conf") }
    }
}
