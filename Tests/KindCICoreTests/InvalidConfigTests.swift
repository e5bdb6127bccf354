import Foundation
import Testing
@testable import KindCICore

/// Each `Fixtures/invalid/NAME.yml` paired with the exact report in `NAME.expected`.
/// `KIND_CI_RECORD=1 swift test` rewrites the expected files; review the diff before committing.
@Suite struct InvalidConfigTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/invalid")

    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }()

    @Test func everyFixtureHasAnExpectedReport() throws {
        #expect(Self.fixtures.count >= 15)
        for fixture in Self.fixtures {
            let expected = Self.folder.appendingPathComponent(fixture.replacing(".yml", with: ".expected"))
            #expect(FileManager.default.fileExists(atPath: expected.path), "\(fixture) has no .expected file")
        }
    }

    @Test(arguments: fixtures)
    func reportsEveryProblemExactly(fixture: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(fixture))
        let problems = try #require(throws: ConfigProblems.self) {
            try ConfigLoader.decode(data, path: fixture, directory: Self.folder)
        }
        #expect(problems.exitStatus == .badConfiguration)
        let report = problems.render(style: .plain) + "\n"
        let expectedFile = Self.folder.appendingPathComponent(fixture.replacing(".yml", with: ".expected"))
        if ProcessInfo.processInfo.environment["KIND_CI_RECORD"] == "1" {
            try report.write(to: expectedFile, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedFile, encoding: .utf8)
        #expect(report == expected)
    }
}
