import Foundation

/// The vendors' own JSON schemas, through `check-jsonschema` (installed by scripts/setup-test-tools).
public enum CheckJSONSchema {
    public struct Outcome: Sendable {
        public let passed: Bool
        public let output: String
    }

    /// Validates every file against the built-in schema `schema` (e.g. `vendor.gitlab-ci`) in one run.
    public static func validate(_ files: [URL], schema: String) throws -> Outcome {
        // Azure's schema holds patterns the default regular-expression engine cannot compile.
        let variant = schema == "vendor.azure-pipelines" ? ["--regex-variant", "python"] : []
        return try run(["check-jsonschema", "--builtin-schema", schema] + variant + files.map(\.path), tool: "check-jsonschema")
    }

    /// `actionlint` on GitHub workflows (it also runs shellcheck on `run:` scripts when present).
    public static func actionlint(_ files: [URL]) throws -> Outcome {
        try run(["actionlint"] + files.map(\.path), tool: "actionlint")
    }

    private static func run(_ arguments: [String], tool: String) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("check-jsonschema-\(UUID())")
        try Data().write(to: output)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        if process.terminationStatus == 127 {
            throw MissingTool(message: "\(tool) is not installed: run scripts/setup-test-tools")
        }
        return Outcome(passed: process.terminationStatus == 0, output: text)
    }

    public struct MissingTool: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
