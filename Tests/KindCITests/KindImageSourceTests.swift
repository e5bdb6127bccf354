import Foundation
import KindCICore
import Testing
import TestSupport

/// The pipeline always starts the kind image kind-ci.yml names: `init` takes it from an existing
/// file and refuses a flag that disagrees, and `run` warns when kind serves another Kubernetes line
/// (a service image left behind).
@Suite struct KindImageSourceTests {
    @Test func initTakesTheImageFromAnExistingKindCIYml() throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "kind:\n  image: bsycorp/kind:latest-1.21\ntest: {run: 'true'}\n")
        let result = try KindCIBinary.run(["init", "gitlab", "--stdout"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("bsycorp/kind:latest-1.21"), "\(result.stdout)")
        #expect(!result.stdout.contains("bsycorp/kind:latest-1.23"), "\(result.stdout)")
        let same = try KindCIBinary.run(["init", "gitlab", "--stdout", "--kubernetes", "1.21"], in: folder.url)
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test(arguments: [["--kubernetes", "1.23"], ["--kind-image", "bsycorp/kind:latest-1.22"]])
    func initRefusesAFlagThatDisagreesWithTheFile(flag: [String]) throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "kind:\n  image: bsycorp/kind:latest-1.21\ntest: {run: 'true'}\n")
        let result = try KindCIBinary.run(["init", "github"] + flag, in: folder.url)
        #expect(result.status == ExitStatus.usage.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci init: error: \(flag.joined(separator: " ")) asks for "), "\(result.stderr)")
        #expect(result.stderr.contains("fix: change `kind.image` in kind-ci.yml"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["kind-ci.yml"])
    }

    @Test func runWarnsWhenKindServesAnotherLine() throws {
        let kind = try FakeKindAPI(["--kubernetes-ready-after", "0s", "--kubernetes-version", "v1.22.17"])
        let folder = try ReachingKindTests.project(kind)
        try folder.write("kind-ci.yml", "kind:\n  image: bsycorp/kind:latest-1.23\n  ports: {config: \(kind.config.port), api: \(kind.apiPort)}\n")
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes"] + ReachingKindTests.kubeconfig(folder),
                                          in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: kind serves Kubernetes v1.22.17, but kind.image is bsycorp/kind:latest-1.23 (1.23)"),
                "\(result.stderr)")

        let current = try FakeKindAPI()
        let matching = try ReachingKindTests.project(current)
        let quiet = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes"] + ReachingKindTests.kubeconfig(matching),
                                         in: matching.url, environment: ReachingKindTests.noCI)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(!quiet.stderr.contains("warning: kind serves"), "\(quiet.stderr)")
        // Both of kind's readiness cases sit in kind's suite, timed from the start.
        let report = try String(contentsOf: matching.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(report.contains("<testcase classname=\"kind-ci.kind\" name=\"docker ready\""), "\(report)")
        #expect(report.contains("<testcase classname=\"kind-ci.kind\" name=\"kubernetes ready\""), "\(report)")
    }
}
