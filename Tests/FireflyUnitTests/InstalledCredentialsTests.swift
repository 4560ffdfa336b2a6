import FireflySettings
import Foundation
import Testing

@Suite("Installed credentials for firefly-admin in a root shell")
struct InstalledCredentialsTests {
    @Test("the installed credentials folder stands in for CREDENTIALS_DIRECTORY only when that is unset and the folder is readable")
    func fallback() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ff-creds-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "0123".write(toFile: folder + "/vault-key", atomically: true, encoding: .utf8)
        #expect(InstalledCredentials.environment(["A": "b"], directory: folder)["CREDENTIALS_DIRECTORY"] == folder)
        #expect(InstalledCredentials.environment(["CREDENTIALS_DIRECTORY": "/run/credentials/x"], directory: folder)["CREDENTIALS_DIRECTORY"] == "/run/credentials/x")
        #expect(InstalledCredentials.environment([:], directory: folder + "/missing")["CREDENTIALS_DIRECTORY"] == nil)
    }
}
