import FireflySystem
import FoundationEssentials
import Synchronization

/// Files of Unity Catalog volumes (`/Volumes/<catalog>/<schema>/<volume>/…`, Files API) and of
/// DBFS (`dbfs:/…`, DBFS API), kept under the data directory. Writes go to a temporary file that
/// is renamed into place when complete, so a reader never sees half a file.
final class FileStore: Sendable {
    /// A volume path resolved: where it lives on disk and which volume it belongs to.
    struct VolumePath: Sendable {
        let catalog: String
        let schema: String
        let volume: String
        /// The path below the volume ("" for the volume root).
        let relative: String
        let diskPath: String
        /// The API path, `/Volumes/c/s/v/rel`.
        let apiPath: String
    }

    private let volumeRoot: String
    let dbfsRoot: String
    private let volumes: Set<String>
    private let dbfsHandles = Mutex<(next: Int64, open: [Int64: DBFSHandle])>((1, [:]))

    /// An open `dbfs/create` handle.
    struct DBFSHandle: Sendable {
        let path: String
        let temporary: String
        var lastUsed: Double
    }

    init(dataDirectory: String, volumes: [String]) throws {
        volumeRoot = dataDirectory + "/volumes"
        dbfsRoot = dataDirectory + "/dbfs"
        self.volumes = Set(volumes.map { $0.lowercased() })
        for volume in self.volumes {
            try FileManager.default.createDirectory(atPath: volumeRoot + "/" + volume.split(separator: ".").joined(separator: "/"),
                                                    withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: dbfsRoot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dataDirectory + "/tmp", withIntermediateDirectories: true)
    }

    /// Splits a path into safe segments: no empty, `.`/`..`, NUL or control characters.
    static func segments(_ path: String) -> [String]? {
        guard path.hasPrefix("/") else { return nil }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        if parts.last == "" { parts.removeLast() }
        for part in parts {
            if part.isEmpty || part == "." || part == ".." { return nil }
            if part.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return nil }
            if part.utf8.count > 255 { return nil }
        }
        return parts
    }

    /// Resolves `/Volumes/c/s/v/…`; nil when malformed; throws 404 for an unknown volume.
    func volumePath(_ path: String) throws -> VolumePath {
        guard let parts = Self.segments(path), parts.count >= 4, parts[0] == "Volumes" else {
            throw APIError.invalidParameter("Invalid path '\(path)': expected /Volumes/<catalog>/<schema>/<volume>/<path>.")
        }
        let catalog = parts[1].lowercased(), schema = parts[2].lowercased(), volume = parts[3].lowercased()
        guard volumes.contains("\(catalog).\(schema).\(volume)") else {
            throw APIError.notFound("NOT_FOUND", "Volume '\(catalog).\(schema).\(volume)' does not exist.")
        }
        let relative = parts.dropFirst(4).joined(separator: "/")
        let disk = "\(volumeRoot)/\(catalog)/\(schema)/\(volume)" + (relative.isEmpty ? "" : "/" + relative)
        return VolumePath(catalog: catalog, schema: schema, volume: volume, relative: relative, diskPath: disk,
                          apiPath: "/Volumes/\(parts[1])/\(parts[2])/\(parts[3])" + (relative.isEmpty ? "" : "/" + relative))
    }

    /// Every configured volume, as `catalog.schema.volume`.
    var volumeNames: [String] { volumes.sorted() }

    /// A fresh temporary file path for a write in progress.
    func temporaryPath(dataDirectory: String) -> String { dataDirectory + "/tmp/upload-" + UUID().uuidString }

    /// Resolves a DBFS path (`dbfs:/a/b` or `/a/b`) to disk.
    func dbfsPath(_ path: String) throws -> (api: String, disk: String) {
        var text = path
        if text.hasPrefix("dbfs:") { text.removeFirst(5) }
        guard let parts = Self.segments(text) else {
            throw APIError.invalidParameter("Path must be absolute: \(path)")
        }
        let api = "/" + parts.joined(separator: "/")
        return (api, dbfsRoot + (parts.isEmpty ? "" : api))
    }

    // MARK: DBFS streaming handles

    /// A `create` handle unused this long is gone (Databricks: 10 minutes).
    static let handleIdleTimeout: Double = 600

    /// Opens a handle for `create`; the file appears at `close`.
    func openHandle(disk: String, temporary: String) -> Int64 {
        let now = Date().timeIntervalSince1970
        return dbfsHandles.withLock { state in
            // Handles idle past their timeout are abandoned uploads: drop them and their files.
            for (number, entry) in state.open where now - entry.lastUsed > Self.handleIdleTimeout {
                state.open[number] = nil
                try? FileManager.default.removeItem(atPath: entry.temporary)
            }
            let handle = state.next
            state.next += 1
            state.open[handle] = DBFSHandle(path: disk, temporary: temporary, lastUsed: now)
            return handle
        }
    }

    /// The handle's files, refreshing its idle timer; nil when unknown or idle past 10 minutes.
    func useHandle(_ handle: Int64) -> DBFSHandle? {
        let now = Date().timeIntervalSince1970
        return dbfsHandles.withLock { state in
            guard var entry = state.open[handle] else { return nil }
            if now - entry.lastUsed > Self.handleIdleTimeout {
                state.open[handle] = nil
                try? FileManager.default.removeItem(atPath: entry.temporary)
                return nil
            }
            entry.lastUsed = now
            state.open[handle] = entry
            return entry
        }
    }

    /// Forgets a handle (after close).
    func closeHandle(_ handle: Int64) -> DBFSHandle? {
        dbfsHandles.withLock { $0.open.removeValue(forKey: handle) }
    }

    /// Entries of a folder, sorted by name.
    static func list(_ disk: String) -> [(name: String, status: FileStatus)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: disk)) ?? []
        return names.sorted().compactMap { name in FileStatus.of(disk + "/" + name).map { (name, $0) } }
    }
}
