import Foundation

/// Validates JSON against a JSON Schema in schemas/ with Python's jsonschema (installed by
/// scripts/ensure-deps.sh). A missing validator is a failure, never a skip.
public enum SchemaValidator {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    static let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)
        for error in errors[:5]:
            print("/".join(str(p) for p in error.absolute_path) + ": " + error.message)
        sys.exit(1 if errors else 0)
        """

    public static func validate(_ data: Data, schema: String) throws {
        let file = try Shell.temporaryFile(".json")
        defer { try? FileManager.default.removeItem(at: file) }
        try data.write(to: file)
        let schemaPath = Shell.packageRoot.appendingPathComponent("schemas/\(schema)").path
        var lastResult: Shell.Result?
        for python in ["/usr/bin/env", "/usr/bin/python3"] {
            let arguments = (python == "/usr/bin/env" ? ["python3"] : []) + ["-c", script, schemaPath, file.path]
            guard let result = try? Shell.run(python, arguments) else { continue }
            if result.stderr.contains("No module named 'jsonschema'") {
                lastResult = result
                continue
            }
            guard result.status == 0 else {
                throw Invalid(description: "not valid against \(schema): \(result.stdout) \(result.stderr)")
            }
            return
        }
        throw Invalid(
            description: "no python3 with jsonschema (run scripts/ensure-deps.sh): \(lastResult?.stderr ?? "")")
    }
}
