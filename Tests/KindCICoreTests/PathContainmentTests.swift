import Foundation
import Testing
import TestSupport
@testable import KindCICore

/// Paths of kind-ci.yml stay in its folder: `..`, absolute paths elsewhere and symbolic links that
/// lead out are refused, located, with the fix, unless `allow_outside: true` says so.
@Suite struct PathContainmentTests {
    let outside: TemporaryFolder
    let project: TemporaryFolder

    init() throws {
        outside = try TemporaryFolder()
        try outside.write("k8s/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
        try outside.write("Dockerfile", "FROM scratch\n")
        project = try TemporaryFolder()
        try project.write("app/Dockerfile", "FROM scratch\n")
        try project.write("mine/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n")
        try FileManager.default.createSymbolicLink(atPath: project.url.appendingPathComponent("linked").path,
                                                   withDestinationPath: outside.url.appendingPathComponent("k8s").path)
    }

    func decode(_ text: String) throws -> Configuration {
        try ConfigLoader.decode(Data(text.utf8), path: "kind-ci.yml", directory: project.url)
    }

    func problems(_ text: String) throws -> String {
        do {
            _ = try decode(text)
        } catch let problems as ConfigProblems {
            return problems.render(style: .plain)
        }
        Issue.record("expected problems")
        return ""
    }

    var leaving: String {
        """
        build:
          - image: app:ci
            context: ..
          - image: other:ci
            context: app
            dockerfile: \(outside.url.appendingPathComponent("Dockerfile").path)
        deploy:
          - manifests: [linked, mine/*.yaml, ../*/k8s/*.yaml]
        test:
          run: ./test.sh
          reports: [../reports/*.xml, out/*.xml]

        """
    }

    @Test func pathsThatLeaveTheFolderAreRefusedWhereTheyStand() throws {
        let report = try problems(leaving)
        #expect(report.contains("kind-ci.yml:3:14: error: build[0].context: '..': it is outside the folder holding kind-ci.yml"), "\(report)")
        #expect(report.contains("kind-ci.yml:6:17: error: build[1].dockerfile: "), "\(report)")
        #expect(report.contains("kind-ci.yml:8:17: error: deploy[0].manifests: 'linked': it leads through a symbolic link to \(outside.url.resolvingSymlinksInPath().appendingPathComponent("k8s").path)"),
                "\(report)")
        #expect(report.contains("kind-ci.yml:8:38: error: deploy[0].manifests: '../*/k8s/*.yaml': it is outside"), "\(report)")
        #expect(report.contains("kind-ci.yml:11:13: error: test.reports: '../reports/*.xml': it is outside"), "\(report)")
        #expect(report.contains("add 'allow_outside: true'"))
        #expect(report.contains("kind-ci.yml: 5 problems"), "\(report)")
    }

    @Test func allowOutsideLetsThemThrough() throws {
        let configuration = try decode("allow_outside: true\n" + leaving.replacing("../*/k8s/*.yaml", with: "linked/*.yaml").replacing("context: ..", with: "context: \(outside.url.path)"))
        #expect(configuration.allowOutside)
        #expect(try configuration.yamlText().contains("allow_outside: true"))
    }

    @Test func absolutePathsInsideTheFolderAreFine() throws {
        let configuration = try decode("build:\n  - image: app:ci\n    context: \(project.url.appendingPathComponent("app").path)\n")
        #expect(!configuration.allowOutside && configuration.build.count == 1)
    }

    @Test func aFolderReachedThroughALinkHoldsWhatIsWrittenUnderTheLink() throws {
        let link = outside.url.appendingPathComponent("project-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: project.url.path)
        let containment = PathContainment(directory: link)
        #expect(containment.escape(ofMatch: link.appendingPathComponent("mine/app.yaml").path) == nil)
        #expect(containment.escape(of: link.appendingPathComponent("app").path) == nil)
        #expect(containment.escape(of: "mine/*.yaml") == nil)
        #expect(containment.escape(ofMatch: link.appendingPathComponent("linked/app.yaml").path)?.contains("symbolic link") == true)
        #expect(containment.escape(of: link.appendingPathComponent("../Dockerfile").path) == "it is outside the folder holding kind-ci.yml")
    }

    @Test func allowOutsideTakesABoolean() throws {
        let report = try problems("allow_outside: please\n")
        #expect(report.contains("kind-ci.yml:1:16: error: allow_outside: expected true or false, found 'please'"), "\(report)")
    }
}
