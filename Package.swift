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
        // The only module that imports CPgQuery: statement texts → what they read and write
        // (DBAdviseCore's StatementShape, the form snapshots store).
        .target(name: "StatementParser", dependencies: ["CPgQuery", "DBAdviseCore"]),
        // The only module that imports CLibPQ.
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),
        // A JSON coder that writes and reads what Foundation's does for a snapshot, several times
        // faster on a large one (BENCHMARKS.md); internal to the package, used by DBAdviseCore.
        .target(name: "FastJSON"),
        // Snapshot model, durations, redaction: no libpq, testable without a server.
        .target(
            name: "DBAdviseCore",
            dependencies: [
                "FastJSON",
                .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // One rule per file under Rules/<Strategy>/, and the ordered registry.
        .target(name: "DBAdviseRules", dependencies: ["DBAdviseCore", "StatementParser"]),
        // All SQL, version-gated, and the live collector.
        .target(name: "DBAdviseCollector", dependencies: ["DBAdviseCore", "PostgresClient", "StatementParser"]),
        // One file per subcommand; exit statuses decided in one place.
        .target(
            name: "DBAdviseCLI",
            dependencies: [
                "DBAdviseCore", "DBAdviseRules", "DBAdviseCollector", "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "dbadvise", dependencies: ["DBAdviseCLI"]),

        // Shared by the test targets: the throwaway server, psql/pgbench, schema validation.
        .target(name: "DBAdviseTestSupport", path: "Tests/Support"),
        .testTarget(
            name: "PostgresClientTests", dependencies: ["PostgresClient", "DBAdviseTestSupport"]),
        .testTarget(name: "DBAdviseCoreTests", dependencies: ["DBAdviseCore", "FastJSON"]),
        .testTarget(name: "StatementParserTests", dependencies: ["StatementParser"]),
        .testTarget(
            name: "DBAdviseRulesTests", dependencies: ["DBAdviseRules", "DBAdviseCore", "DBAdviseTestSupport"],
            exclude: ["Golden"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DBAdviseCollectorTests",
            dependencies: [
                "DBAdviseCollector", "DBAdviseCore", "PostgresClient", "DBAdviseTestSupport",
            ]
        ),
        .testTarget(
            name: "DBAdviseCLITests", dependencies: ["DBAdviseCore", "DBAdviseTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
