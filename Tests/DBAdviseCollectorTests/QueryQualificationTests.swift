import Foundation
import StatementParser
import Testing

@testable import DBAdviseCollector

/// Every statement dbadvise sends names each function, relation, operator and type by its
/// schema, so nothing a database owner creates can stand in for it (the session's pinned
/// search_path is the first line of defence; this is the second).
@Suite("Collector SQL is schema-qualified")
struct QueryQualificationTests {
    static let sourcesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// pg_stat_statements' schema as the registry quotes it; everything else is pg_catalog.
    static let relationSchemas = ["pg_catalog", CollectorQueries.extensionSchemaExample]

    @Test func everyRegisteredQueryQualifiesEveryName() throws {
        let queries = CollectorQueries.all
        #expect(queries.count > 40)
        for query in queries {
            let objects: ReferencedObjects
            switch StatementParser.referencedObjects(query.sql) {
            case .success(let found): objects = found
            case .failure(let error):
                Issue.record("\(query.name) does not parse: \(error)")
                continue
            }
            for name in objects.functions + objects.operators + objects.types
            where !name.hasPrefix("pg_catalog.") {
                Issue.record("\(query.name): \(name) is not qualified with pg_catalog")
            }
            for name in objects.relations where !Self.relationSchemas.contains(where: { name.hasPrefix($0 + ".") }) {
                Issue.record("\(query.name): relation \(name) is not schema-qualified")
            }
        }
    }

    /// `Query("name", …)` anywhere in the collector must be in the registry, or the check above
    /// would never see it.
    @Test func everyQueryInTheSourcesIsRegistered() throws {
        let registered = Set(CollectorQueries.all.map(\.name))
        let directory = Self.sourcesDirectory.appendingPathComponent("DBAdviseCollector")
        let files = try #require(FileManager.default.enumerator(atPath: directory.path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        let pattern = try Regex(#"Query\(\s*"([^"]+)""#)
        var found = 0
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                found += 1
                let name = String(text[match.output[1].range!])
                #expect(registered.contains(name), "\(file): query \"\(name)\" is not in CollectorQueries.all")
            }
        }
        #expect(found >= 25)
    }

    /// SQL sent as a bare string would bypass both the registry and the trace.
    @Test func noModuleSendsSQLOutsideAQuery() throws {
        let files = try #require(FileManager.default.enumerator(atPath: Self.sourcesDirectory.path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        let rawSQL = try Regex(#"\.query\(\s*""#)
        for file in files {
            let text = try String(contentsOf: Self.sourcesDirectory.appendingPathComponent(file), encoding: .utf8)
            #expect(text.firstMatch(of: rawSQL) == nil, "\(file) sends SQL that is not a registered Query")
        }
    }

    @Test func identifiersAreQuotedWhateverTheirName() {
        #expect(quotedIdentifier("public") == "\"public\"")
        #expect(quotedIdentifier("a\"b; DROP") == "\"a\"\"b; DROP\"")
    }
}
