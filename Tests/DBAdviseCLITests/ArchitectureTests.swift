import DBAdviseTestSupport
import Foundation
import Testing

/// ARCHITECTURE.md's arrows are the package graph: each line of its first fenced block,
/// `Module → A, B`, must list exactly the targets `Package.swift` gives that module.
@Suite struct ArchitectureTests {
    static let root = Shell.packageRoot

    @Test func theArrowsMatchThePackageGraph() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let architecture = try String(
            contentsOf: Self.root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let documented = try #require(Self.arrows(in: architecture), "ARCHITECTURE.md has no arrow block")
        let declared = Self.targets(in: manifest)
        #expect(!declared.isEmpty)
        #expect(Set(documented.keys) == Set(declared.keys), "modules in ARCHITECTURE.md vs Package.swift")
        for (module, dependencies) in declared {
            #expect(
                documented[module] == dependencies,
                "\(module): ARCHITECTURE.md says \(documented[module] ?? []), Package.swift \(dependencies)")
        }
    }

    @Test func theRuleModuleHoldsOnlyRulesAndTheRegistry() throws {
        let directory = Self.root.appendingPathComponent("Sources/DBAdviseRules")
        let files = try #require(FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String])
        let swiftFiles = files.filter { $0.hasSuffix(".swift") }
        #expect(!swiftFiles.isEmpty)
        for file in swiftFiles {
            #expect(file == "Registry.swift" || (file.hasPrefix("Rules/") && file.hasSuffix("Rule.swift")), "\(file)")
        }
    }

    /// `Module → A, B` lines of the first fenced block; `Module →` alone: no dependencies.
    static func arrows(in text: String) -> [String: Set<String>]? {
        let blocks = text.components(separatedBy: "```")
        guard blocks.count > 2 else { return nil }
        var arrows: [String: Set<String>] = [:]
        for line in blocks[1].split(separator: "\n") {
            let parts = line.components(separatedBy: "→")
            guard parts.count == 2 else { continue }
            let module = parts[0].trimmingCharacters(in: .whitespaces)
            arrows[module] = Set(
                parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return arrows
    }

    /// Every non-test target of the manifest (`.target`, `.executableTarget`,
    /// `.systemLibrary`) and the targets of the package it depends on (products of other
    /// packages left out). The test-support target is left out: only tests import it.
    static func targets(in manifest: String) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        let scalars = Array(manifest)
        for kind in [".target(", ".executableTarget(", ".systemLibrary("] {
            var searchStart = manifest.startIndex
            while let found = manifest.range(of: kind, range: searchStart..<manifest.endIndex) {
                searchStart = found.upperBound
                let open = manifest.distance(from: manifest.startIndex, to: found.upperBound) - 1
                guard let close = matching(scalars, from: open) else { continue }
                let body = String(scalars[(open + 1)..<close])
                guard let name = firstQuoted(after: "name:", in: body), name != "DBAdviseTestSupport" else { continue }
                var dependencies = Set<String>()
                if let start = body.range(of: "dependencies:"),
                    let bracket = body[start.upperBound...].firstIndex(of: "[")
                {
                    let characters = Array(body)
                    let offset = body.distance(from: body.startIndex, to: bracket)
                    if let end = matching(characters, from: offset) {
                        var list = String(characters[(offset + 1)..<end])
                        // .product(name: "X", package: "Y") names another package's product
                        while let product = list.range(of: ".product(") {
                            let productOffset = list.distance(from: list.startIndex, to: product.upperBound) - 1
                            let listCharacters = Array(list)
                            guard let productEnd = matching(listCharacters, from: productOffset) else { break }
                            list =
                                String(listCharacters[..<(productOffset - ".product".count)])
                                + String(listCharacters[(productEnd + 1)...])
                        }
                        for piece in list.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                        where piece.offset % 2 == 1 {
                            dependencies.insert(String(piece.element))
                        }
                    }
                }
                result[name] = dependencies
            }
        }
        return result
    }

    /// The index of the bracket closing the one at `open`.
    static func matching(_ characters: [Character], from open: Int) -> Int? {
        let pairs: [Character: Character] = ["(": ")", "[": "]"]
        guard let closer = pairs[characters[open]] else { return nil }
        var depth = 0
        var index = open
        while index < characters.count {
            if characters[index] == characters[open] { depth += 1 }
            if characters[index] == closer {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    static func firstQuoted(after key: String, in text: String) -> String? {
        guard let range = text.range(of: key) else { return nil }
        let rest = text[range.upperBound...]
        guard let first = rest.firstIndex(of: "\"") else { return nil }
        let afterFirst = rest.index(after: first)
        guard let second = rest[afterFirst...].firstIndex(of: "\"") else { return nil }
        return String(rest[afterFirst..<second])
    }
}
