import FireflySettings
import ArgumentParser
import FireflyCore
import FireflyLogging
import FireflyIdentity
import ProxyCore
import FireflySystem
import FoundationEssentials
import Logging

/// `print(_:to:)` target for standard error.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FireflySystemOutput.writeStandardError(string)
    }
}
