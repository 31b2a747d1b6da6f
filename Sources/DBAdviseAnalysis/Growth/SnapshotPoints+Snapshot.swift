import DBAdviseModel
import Foundation

extension SnapshotPoints {
    /// The points of a snapshot: what its series needs of it once its file is gone.
    public init(snapshot: Snapshot) {
        let database = snapshot.database
        var point = SnapshotPoint(
            series: Self.series(of: snapshot), finishedAt: snapshot.interval.finishedAt,
            startedAt: snapshot.interval.startedAt,
            intervalMode: snapshot.interval.mode == .delta ? .delta : .sinceReset,
            rateSeconds: snapshot.interval.rateSeconds,
            database: database?.name ?? snapshot.connection.database ?? "database")
        point.systemIdentifier = snapshot.server.systemIdentifier
        point.host = snapshot.connection.host
        point.port = snapshot.connection.port
        point.statsReset = snapshot.server.statsReset
        point.startTime = snapshot.server.startTime
        point.sizeBytes = database?.sizeBytes
        point.xactCommit = database?.xactCommit
        point.tupReturned = database?.tupReturned
        point.tupFetched = database?.tupFetched
        point.tupInserted = database?.tupInserted
        point.tupUpdated = database?.tupUpdated
        point.tupDeleted = database?.tupDeleted
        point.writesPerSecond = snapshot.rates.writesPerSecond
        point.readsPerSecond = snapshot.rates.readsPerSecond
        point.avgActiveSessions = snapshot.activity?.avgActiveSessions
        // The lag does not depend on the hardware; the derivation keeps its rules in one place.
        point.replicationLagSeconds = ReportMetrics.derive(from: snapshot, hardware: Hardware()).0.replicationLagSeconds

        // A leaf partition's size comes from its tree when the tree has it (RelationSizes).
        var leafBytes: [String: Int] = [:]
        var leafNames: [(schema: String, name: String)] = []
        for tree in snapshot.partitionedTables ?? [] {
            for partition in tree.partitions where !partition.isPartitioned {
                let name = "\(partition.schema).\(partition.name)"
                if leafBytes[name] == nil { leafNames.append((partition.schema, partition.name)) }
                if let bytes = partition.totalBytes { leafBytes[name] = bytes }
            }
        }
        var listedNames = Set<String>()
        var relations: [RelationPoint] = []
        for table in snapshot.tables ?? [] {
            listedNames.insert(table.qualifiedName)
            var relation = RelationPoint(
                schema: table.schema, name: table.name, relkind: table.relkind, isPartition: table.isPartition,
                listed: true)
            relation.totalBytes =
                table.isPartition && table.relkind != "p"
                ? leafBytes[table.qualifiedName] ?? table.totalBytes : table.totalBytes
            relation.nLiveTup = table.nLiveTup
            relation.reltuples = table.reltuples
            relation.nTupIns = table.nTupIns
            relation.nTupUpd = table.nTupUpd
            relation.nTupDel = table.nTupDel
            relation.writesPerSecond = table.writesPerSecond
            relation.lastRefreshedAt = [
                table.lastVacuum, table.lastAutovacuum, table.lastAnalyze, table.lastAutoanalyze,
            ]
            .compactMap { $0 }.max()
            relations.append(relation)
        }
        for leaf in leafNames where !listedNames.contains("\(leaf.schema).\(leaf.name)") {
            guard let bytes = leafBytes["\(leaf.schema).\(leaf.name)"] else { continue }
            var relation = RelationPoint(
                schema: leaf.schema, name: leaf.name, relkind: "r", isPartition: true, listed: false)
            relation.totalBytes = bytes
            relations.append(relation)
        }
        self.init(snapshot: point, relations: relations)
    }

    /// The series a snapshot belongs to: the same identity the analyzer refuses to mix
    /// (`Analyzer.identity(of:)`), so a store never holds what analyze would refuse.
    public static func series(of snapshot: Snapshot) -> String { Analyzer.identity(of: snapshot) }
}
