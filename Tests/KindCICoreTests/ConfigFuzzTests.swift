import Foundation
import Testing
import TestSupport
@testable import KindCICore

/// Hostile kind-ci.yml files: whatever the bytes, the decoder ends in a configuration or in
/// problems that each name a line and column (or the whole file) and render, within a second,
/// without crashing. Seeded: a failure names its case, which the same seed finds again.
@Suite struct ConfigFuzzTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func seeds() throws -> [Data] {
        let invalid = fixtures.appendingPathComponent("invalid")
        let names = try FileManager.default.contentsOfDirectory(atPath: invalid.path).filter { $0.hasSuffix(".yml") }.sorted()
        return try [Data(contentsOf: ValidConfigTests.full)] + names.map { try Data(contentsOf: invalid.appendingPathComponent($0)) }
    }

    static let keys = ["version", "kind", "image", "host", "ports", "docker", "api", "config", "timeouts", "kubernetes", "build", "name",
                       "context", "dockerfile", "args", "target", "labels", "builder", "cache_from", "build_jobs", "deploy", "manifests",
                       "namespace", "run", "wait", "timeout", "tolerate", "test", "reports", "shard", "files", "allow_outside"]

    /// Why a decoding's outcome is not acceptable, or nil.
    static func problem(decoding data: Data, in directory: URL) -> String? {
        do {
            _ = try ConfigLoader.decode(data, path: "fuzz.yml", directory: directory)
            return nil
        } catch let problems as ConfigProblems {
            guard !problems.diagnostics.isEmpty else { return "problems without a diagnostic" }
            for diagnostic in problems.diagnostics where diagnostic.message.isEmpty
                || (diagnostic.line < 1 || diagnostic.column < 1) && !wholeFile.contains(where: diagnostic.message.hasPrefix) {
                return "unlocated: \(diagnostic)"
            }
            _ = problems.render(style: .plain)
            return nil
        } catch {
            return "not a located problem: \(error)"
        }
    }

    /// Problems that are about the file as a whole, where no line is to be named.
    static let wholeFile = ["the file is empty", "the file is "]

    @Test func anyBytesEndInAConfigurationOrLocatedProblems() async throws {
        let folder = try TemporaryFolder()
        for path in ["app/Dockerfile", "Dockerfile", "k8s/app.yaml", "scripts/integration-test.sh"] { try folder.write(path, "x\n") }
        let input = FuzzInput(seeds: try Self.seeds(), keys: Self.keys)
        let directory = folder.url
        let bad = try await offThePool {
            var random = SeededGenerator(seed: 0x6B69_6E64_2D63_69)
            var bad: [String] = []
            for index in 0..<FuzzInput.cases {
                let data = input.make(&random)
                let started = ThreadCPUTime.now()
                if let problem = Self.problem(decoding: data, in: directory) { bad.append("case \(index): \(problem)") }
                // No hang: a file is read in far less than a second of processor time, whatever it holds.
                let spent = ThreadCPUTime.now() - started
                if spent > .seconds(2) { bad.append("case \(index): took \(spent) of processor time") }
            }
            return bad
        }
        Ledger.record(.fuzz, "kind-ci.yml", "case", count: FuzzInput.cases)
        Ledger.record(.fuzz, "kind-ci.yml", "bad", count: bad.count)
        #expect(bad.isEmpty, "\(bad.count) of \(FuzzInput.cases) cases: \(bad.prefix(5).joined(separator: "\n"))")
    }
}
