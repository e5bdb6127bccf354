import Foundation
import KindCICore
import Testing
import TestSupport
@testable import Runner

/// What kind-ci.yml's paths lead to when the run reads them: a manifest folder's entries and the
/// files a report pattern matches are kept inside kind-ci.yml's folder too (links included).
@Suite struct ContainmentTests {
    let project: TemporaryFolder
    let outside: TemporaryFolder

    init() throws {
        project = try TemporaryFolder()
        outside = try TemporaryFolder()
        try outside.write("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\n")
        try outside.write("passwd.xml", "<x/>\n")
        try project.write("k8s/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n")
        try project.write("reports/unit.xml", "<testsuite/>\n")
        try FileManager.default.createSymbolicLink(atPath: project.url.appendingPathComponent("k8s/stolen.yaml").path,
                                                   withDestinationPath: outside.url.appendingPathComponent("secret.yaml").path)
        try FileManager.default.createSymbolicLink(atPath: project.url.appendingPathComponent("reports/passwd.xml").path,
                                                   withDestinationPath: outside.url.appendingPathComponent("passwd.xml").path)
    }

    func reader(allowOutside: Bool) -> ManifestReader {
        ManifestReader(directory: project.url, images: BuiltImageReferences(builds: []), namespace: "default",
                       containment: allowOutside ? nil : PathContainment(directory: project.url))
    }

    @Test func aManifestFolderEntryThatLinksOutIsRefused() throws {
        #expect(throws: ManifestProblems.self) { try reader(allowOutside: false).read(["k8s/"]) }
        do {
            _ = try reader(allowOutside: false).read(["k8s/"])
        } catch let problems as ManifestProblems {
            let text = problems.render(style: .plain)
            #expect(text.contains("k8s/stolen.yaml: error: not read: it leads through a symbolic link to "), "\(text)")
        }
        #expect(try reader(allowOutside: true).read(["k8s/"]).manifests.map(\.object.name) == ["app", "stolen"])
    }

    @Test func aReportThatLinksOutIsNotKept() throws {
        let phase = TestPhase(settings: { var test = TestSettings(run: "true"); test.reports = ["reports/*.xml"]; return test }(),
                              directory: project.url.path, environment: [:], progress: ProgressReporter(style: .plain, quiet: true))
        let kept = try TemporaryFolder()
        let (copied, _, outside) = phase.copyReports(into: kept.url, containment: PathContainment(directory: project.url))
        #expect(copied.map { URL(fileURLWithPath: $0).lastPathComponent } == ["unit.xml"])
        #expect(outside.count == 1 && outside[0].contains("passwd.xml"), "\(outside)")
        let all = phase.copyReports(into: kept.url, containment: nil)
        #expect(all.copied.count == 2 && all.outside.isEmpty)
    }

    @Test func aReportFolderIsKeptWithWhatItHoldsButItsLinksOutAreNot() throws {
        try project.write("reports/nested/e2e.xml", "<testsuite name=\"e2e\"/>\n")
        let phase = TestPhase(settings: { var test = TestSettings(run: "true"); test.reports = ["reports"]; return test }(),
                              directory: project.url.path, environment: [:], progress: ProgressReporter(style: .plain, quiet: true))
        let kept = try TemporaryFolder()
        let (copied, unmatched, outside) = phase.copyReports(into: kept.url, containment: PathContainment(directory: project.url))
        #expect(copied.map { String($0.dropFirst(kept.url.path.count + 1)) } == ["reports/nested/e2e.xml", "reports/unit.xml"], "\(copied)")
        #expect(try String(contentsOf: kept.url.appendingPathComponent("reports/nested/e2e.xml"), encoding: .utf8) == "<testsuite name=\"e2e\"/>\n")
        #expect(unmatched.isEmpty)
        #expect(outside.count == 1 && outside[0].contains("reports/passwd.xml"), "\(outside)")
    }
}
