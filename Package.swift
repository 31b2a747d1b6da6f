// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dbadvise",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dbadvise", targets: ["dbadvise"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // HMAC-SHA256 for `collect --redact`'s keyed pseudonyms (BoringSSL on Linux).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // SQLite for the embedded history store (`DIR/history.sqlite`); links the system's
        // libsqlite3 (`apt-get install libsqlite3-dev`).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // libpq, found through pkg-config; `apt-get install libpq-dev` provides it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // libpg_query, PostgreSQL's parser as a library (`apt-get install libpg-query-dev`; it has
        // no pkg-config file, its header is pg_query.h).
        .systemLibrary(name: "CPgQuery", providers: [.apt(["libpg-query-dev"])]),
        // A JSON coder that writes and reads what Foundation's does for a snapshot, several times
        // faster on a large one (BENCHMARKS.md); internal to the package, used by DBAdviseModel.
        .target(name: "FastJSON"),
        // The snapshot model and its coding, config, redaction, files and unit formatting: no libpq,
        // no rules, testable without a server.
        .target(
            name: "DBAdviseModel",
            dependencies: [
                "FastJSON",
                .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The only module that imports CPgQuery: statement texts → what they read and write
        // (DBAdviseModel's StatementShape, the form snapshots store).
        .target(name: "StatementParser", dependencies: ["CPgQuery", "DBAdviseModel"]),
        // The only module that imports CLibPQ.
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),
        // The engine: rule protocol and context, analyzer, capacity model, measurement windows,
        // growth and forecasts, what-if, partition plans and shard keys, the gate, the report.
        .target(name: "DBAdviseAnalysis", dependencies: ["DBAdviseModel", "StatementParser"]),
        // The rule catalog: one rule per file under Rules/<Strategy>/, and the ordered registry.
        .target(name: "DBAdviseRules", dependencies: ["DBAdviseModel", "DBAdviseAnalysis"]),
        // Renderers: text, Markdown, JSON, JUnit, GitHub, fleet, rule catalog, SVG plot.
        .target(name: "DBAdviseOutput", dependencies: ["DBAdviseModel", "DBAdviseAnalysis"]),
        // All SQL, version-gated, the live collector and the fleet pipeline.
        .target(name: "DBAdviseCollector", dependencies: ["DBAdviseModel", "PostgresClient", "StatementParser"]),
        // Series points of snapshot histories: the HistoryStore protocol and its stores.
        .target(
            name: "DBAdviseHistory",
            dependencies: [
                "DBAdviseModel", "DBAdviseAnalysis", "PostgresClient", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // One file per subcommand: parses arguments, calls, maps errors to exit statuses.
        .target(
            name: "DBAdviseCLI",
            dependencies: [
                "DBAdviseModel", "DBAdviseAnalysis", "DBAdviseRules", "DBAdviseOutput", "DBAdviseCollector",
                "DBAdviseHistory", "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "dbadvise", dependencies: ["DBAdviseCLI"]),
        // make bench's history axis: long snapshot series appended through the HistoryStore API.
        .executableTarget(name: "history-bench", dependencies: ["DBAdviseHistory", "DBAdviseModel"], path: "Sources/HistoryBench"),

        // Shared by the test targets: the throwaway server, psql/pgbench, schema validation.
        .target(name: "DBAdviseTestSupport", path: "Tests/Support"),
        .testTarget(
            name: "PostgresClientTests", dependencies: ["PostgresClient", "DBAdviseTestSupport"]),
        // The model, the engine and the renderers, without a server.
        .testTarget(
            name: "DBAdviseAnalysisTests",
            dependencies: ["DBAdviseModel", "DBAdviseAnalysis", "DBAdviseOutput", "FastJSON"]),
        .testTarget(name: "StatementParserTests", dependencies: ["StatementParser"]),
        .testTarget(
            name: "DBAdviseRulesTests",
            dependencies: [
                "DBAdviseRules", "DBAdviseModel", "DBAdviseAnalysis", "DBAdviseOutput", "DBAdviseTestSupport",
            ],
            exclude: ["Golden"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DBAdviseCollectorTests",
            dependencies: [
                "DBAdviseCollector", "DBAdviseModel", "PostgresClient", "DBAdviseTestSupport",
            ]
        ),
        .testTarget(
            name: "DBAdviseCLITests",
            dependencies: [
                "DBAdviseModel", "DBAdviseAnalysis", "DBAdviseOutput", "DBAdviseCLI", "DBAdviseTestSupport",
            ]),
        .testTarget(
            name: "DBAdviseHistoryTests",
            dependencies: [
                "DBAdviseHistory", "DBAdviseModel", "DBAdviseAnalysis", "DBAdviseTestSupport", "StatementParser",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
