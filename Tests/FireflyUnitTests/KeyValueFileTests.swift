import FireflySettings
import Testing

@Suite("KEY=value configuration files")
struct KeyValueFileTests {
    @Test("comments, blanks, spaces, export and quotes; line numbers kept")
    func entries() throws {
        let text = "# FireFly\n\n  FIREFLY_A = one \nexport FIREFLY_B=\"two words\"\nFIREFLY_C='x=y'\nFIREFLY_D=\n"
        let entries = try KeyValueFile.entries(text, path: "/etc/firefly/x.conf")
        #expect(entries.map(\.name) == ["FIREFLY_A", "FIREFLY_B", "FIREFLY_C", "FIREFLY_D"])
        #expect(entries.map(\.value) == ["one", "two words", "x=y", ""])
        #expect(entries.map(\.line) == [3, 4, 5, 6])
    }

    @Test("a line without = names the file and line")
    func malformed() {
        #expect(throws: ConfigurationError(key: "/p.conf:2", problem: "expected KEY=value")) {
            try KeyValueFile.entries("FIREFLY_A=1\nnonsense\n", path: "/p.conf")
        }
    }
}
