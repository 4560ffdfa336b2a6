import FireflySystem
import Foundation
import Testing

@Suite("Staged upload copies: direct I/O around the page cache, exact bytes at any offset")
struct StagingFileTests {
    /// A fresh folder on the temporary directory's file system.
    private static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("staging-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Deterministic bytes that differ at every offset (a misplaced block cannot match).
    private static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test("chunks that start and end anywhere, appended as an upload's chunks are, read back exactly", arguments: [true, false])
    func chunksAtAnyOffset(direct: Bool) throws {
        let path = try Self.folder() + "/a.part"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let source = Self.bytes(2 * 1024 * 1024 + 7_919, seed: 1)
        // Chunk sizes crossing block and buffer boundaries in every way; pieces as the body arrives.
        let chunkSizes = [1, 4_095, 4_097, 700_001, 524_288, 100, 524_288 + 4_096, 12_345]
        var received = 0
        var directly: Int64 = 0, throughCache: Int64 = 0
        for (number, size) in chunkSizes.enumerated() {
            let end = min(source.count, received + size)
            let file = try StagingFile(path: path, mode: .append(permissions: 0o600), direct: direct)
            #expect(file.isDirect == direct)
            #expect(try file.size() == Int64(received))
            try file.truncate(to: Int64(received))
            var offset = received
            while offset < end {
                let piece = min(end - offset, [256 * 1024, 1_000, 65_536][number % 3])
                try file.write(Array(source[offset..<(offset + piece)]))
                offset += piece
            }
            try file.sync()
            #expect(file.isDirect == direct, "direct I/O was refused on the way")
            directly += file.bytesWrittenDirectly
            throughCache += file.bytesWrittenThroughCache
            file.close()
            received = end
        }
        let rest = try StagingFile(path: path, mode: .append(permissions: 0o600), direct: direct)
        try rest.write(Array(source[received...]))
        try rest.sync()
        #expect(try rest.size() == Int64(source.count))
        directly += rest.bytesWrittenDirectly
        throughCache += rest.bytesWrittenThroughCache
        rest.close()
        // Every byte written once; with direct I/O, only each chunk's partial first and last block
        // went through the page cache.
        #expect(directly + throughCache == Int64(source.count))
        if direct {
            #expect(throughCache <= Int64((chunkSizes.count + 1) * 2 * StagingFile.alignment), "\(throughCache) bytes through the cache")
        } else {
            #expect(directly == 0)
        }

        let reader = try StagingFile(path: path, mode: .read, direct: direct)
        #expect(reader.isDirect == direct)
        for (offset, count) in [(0, 1 << 20), (4_095, 10_000), (1, 524_288 + 1), (700_000, 3 * 524_288), (source.count - 5, 100), (0, source.count)] {
            let got = try reader.read(at: Int64(offset), count: count)
            #expect(got == Array(source[offset..<min(source.count, offset + count)]), "at \(offset), \(count) bytes")
        }
        #expect(try reader.read(at: Int64(source.count), count: 10).isEmpty)
        #expect(try reader.read(at: Int64(source.count) + 9_000, count: 10).isEmpty)
        #expect(reader.isDirect == direct, "direct I/O was refused on the way")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(source))
    }

    @Test("a chunk cut back before its sync leaves only what was confirmed; appending goes on from there", arguments: [true, false])
    func cutBack(direct: Bool) throws {
        let path = try Self.folder() + "/b.part"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let first = Self.bytes(10_000, seed: 2)
        let file = try StagingFile(path: path, mode: .append(permissions: 0o600), direct: direct)
        try file.write(first)
        try file.sync()
        // A failed chunk: some written out (more than a buffer), some still gathered; then cut.
        try file.write(Self.bytes(600_000, seed: 3))
        try file.truncate(to: 10_000)
        #expect(try file.size() == 10_000)
        let second = Self.bytes(5_000, seed: 4)
        try file.write(second)
        try file.sync()
        file.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(first + second))
    }

    @Test("a missing file is an error naming it")
    func missing() {
        #expect(throws: SystemError.self) { try StagingFile(path: "/nonexistent-firefly/x.part", mode: .read) }
    }
}
