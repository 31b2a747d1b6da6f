import Crypto
import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// A `collect --output DIR/` directory: its snapshot files and the history store beside them.
///
/// The store follows the files: a file not indexed yet (older history, copied files) is
/// indexed once; a file whose size, modification time or content changed has its points
/// replaced; a file that vanished has its points removed, unless retention deleted it on
/// purpose (then its points are the history). Reading a series decodes only the newest
/// snapshot in full and rebuilds the earlier ones from their points.
public struct HistoryDirectory {
    public let directory: URL
    public let store: any HistoryStore

    /// Opens (or creates) `DIR/history.sqlite`.
    public init(directory: URL) throws(HistoryStoreError) {
        self.directory = directory
        store = try SQLiteHistoryStore(path: directory.appendingPathComponent(SQLiteHistoryStore.fileName).path)
    }

    public init(directory: URL, store: any HistoryStore) {
        self.directory = directory
        self.store = store
    }

    /// Reads a file's bytes, and decodes a snapshot from them; both throw the caller's errors.
    public typealias Reader = (_ path: String) throws -> Data
    public typealias Decoder = (_ path: String, _ data: Data) throws -> Snapshot

    /// What ``synchronize(files:read:decode:)`` did.
    public struct Synchronization: Sendable {
        public var indexed: [String] = []
        public var removed: [String] = []
        public var unchanged = 0
        /// The newest snapshot decoded while indexing, by file name: reading the series then
        /// need not decode it again.
        public var decoded: [String: Snapshot] = [:]
    }

    /// Brings the store in line with `files` (paths of the directory's snapshot files).
    public func synchronize(files: [String], read: Reader, decode: Decoder) throws -> Synchronization {
        var result = Synchronization()
        let stored = Dictionary(try store.sources().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let names = Set(files.map { URL(fileURLWithPath: $0).lastPathComponent })
        for source in stored.values.sorted(by: { $0.name < $1.name })
        where source.retiredAt == nil && !names.contains(source.name) {
            try store.removeSource(named: source.name)
            result.removed.append(source.name)
        }
        var newest: (finishedAt: Date, name: String, snapshot: Snapshot)?
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let (size, modified) = Self.attributes(path)
            if let source = stored[name], source.sizeBytes == size,
                abs(source.modifiedAt.timeIntervalSince1970 - modified.timeIntervalSince1970) < 0.001
            {
                result.unchanged += 1
                continue
            }
            let data = try read(path)
            let hash = Self.sha256(data)
            // Touched, not changed: the points stand.
            if let source = stored[name], source.contentSHA256 == hash, source.sizeBytes == data.count {
                result.unchanged += 1
                continue
            }
            let snapshot = try decode(path, data)
            try store.append(
                SnapshotPoints(snapshot: snapshot),
                source: SourceFile(name: name, sizeBytes: data.count, modifiedAt: modified, contentSHA256: hash))
            result.indexed.append(name)
            if newest.map({ snapshot.interval.finishedAt > $0.finishedAt }) ?? true {
                newest = (snapshot.interval.finishedAt, name, snapshot)
            }
        }
        if let newest { result.decoded[newest.name] = newest.snapshot }
        return result
    }

    /// Appends a snapshot `collect` has just written to `file` (inside the directory).
    public func record(_ snapshot: Snapshot, data: Data, file: URL) throws(HistoryStoreError) {
        let (_, modified) = Self.attributes(file.path)
        // Its times as the file holds them (milliseconds), as if indexed from the file.
        let points = SnapshotPoints(snapshot: snapshot).mapTimes(HistoryTime.asWritten)
        try store.append(
            points,
            source: SourceFile(
                name: file.lastPathComponent, sizeBytes: data.count, modifiedAt: modified,
                contentSHA256: Self.sha256(data)))
        // The trend state follows each collection, so analyze never reads the points.
        do {
            _ = try HistoryTrends.current(store, series: points.snapshot.series, save: .always)
        } catch let error as HistoryStoreError {
            throw error
        } catch {
            throw HistoryStoreError(.failed, "cannot update the trend state: \(error)", fix: "collect again")
        }
    }

    /// The series to analyze: the newest snapshot decoded in full from its file, the history
    /// from the store's trend state (continued or rebuilt as needed, and saved). Nil when
    /// the store holds nothing. Throws ``AnalysisError/mixedDatabases(first:other:)`` when
    /// the store holds snapshots of more than one database, as mixed files are refused.
    public func series(decoded: [String: Snapshot], read: Reader, decode: Decoder) throws -> AnalysisSeries? {
        let series = try store.series()
        guard let newest = series.first else { return nil }
        guard let latestName = newest.latestSource else {
            throw HistoryStoreError(
                .failed, "the newest snapshot of \(newest.series) in \(directory.path) came from no file",
                fix: "collect again with 'dbadvise collect --output \(directory.path)/'")
        }
        let latestPath = directory.appendingPathComponent(latestName).path
        guard FileManager.default.fileExists(atPath: latestPath) else {
            throw HistoryStoreError(
                .failed, "the newest snapshot's file \(latestPath) is gone",
                fix: "collect again with 'dbadvise collect --output \(directory.path)/'")
        }
        let latest = try decoded[latestName] ?? decode(latestPath, try read(latestPath))
        // A series is named by the analyzer's identity of its snapshots.
        if let other = series.dropFirst().first {
            throw AnalysisError.mixedDatabases(first: newest.series, other: other.series)
        }
        let history = try HistoryTrends.history(store, series: newest.series, latest: latest, save: .ifPossible)
        let largest = RelationSizes(snapshot: latest).largestTable?.name
        let store = store
        return AnalysisSeries(latest: latest, history: history) {
            try largest.map { try store.tableSizes(series: newest.series, table: $0) } ?? []
        }
    }

    /// Deletes the snapshot files whose snapshot finished more than `keepDays` before the
    /// newest one (never the newest file itself), keeping their points; returns their names.
    /// Ages are measured against the newest snapshot, not the clock: a directory copied
    /// elsewhere keeps what it kept.
    public func applyRetention(keepDays: Double) throws -> [String] {
        let sources = try store.sources()
        guard let newest = sources.compactMap(\.finishedAt).max() else { return [] }
        let cutoff = newest.addingTimeInterval(-keepDays * 86_400)
        var deleted: [String] = []
        for source in sources where source.retiredAt == nil {
            guard let finished = source.finishedAt, finished < cutoff else { continue }
            let path = directory.appendingPathComponent(source.name).path
            try store.retireSource(named: source.name, at: Date())
            if FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
            }
            deleted.append(source.name)
        }
        return deleted
    }

    static func attributes(_ path: String) -> (size: Int, modified: Date) {
        let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
        return (size, modified)
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
