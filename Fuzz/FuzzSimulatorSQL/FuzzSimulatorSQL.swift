@testable import WorkspaceSim

/// libFuzzer entry: the workspace simulator's mapping of Databricks SQL names (`catalog.schema.table`)
/// to its SQLite databases, and error positions mapped back to the original text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSimulatorSQL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let qualified = SQLNames.qualify(text, defaultCatalog: "main", defaultSchema: "default", known: ["main", "samples"])
    _ = SQLErrorPosition.locate(offset: text.utf8.count / 2, compiled: qualified, original: text)
    return 0
}
