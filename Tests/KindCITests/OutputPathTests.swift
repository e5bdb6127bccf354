import Foundation
import KindCICore
import Testing
import TestSupport

/// An output path that cannot be created or written ends the run with 73, naming the path and the
/// reason (cli-contract.md), not as an internal error. The tests run as root, which permissions do
/// not stop: a plain file where a folder must go does.
@Suite struct OutputPathTests {
    @Test func artifactsThatCannotBeCreatedEndWith73() throws {
        let kind = try FakeKindAPI()
        let folder = try ReachingKindTests.project(kind)
        try folder.write("occupied", "a file, not a folder\n")
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes", "--artifacts", "occupied/kind-ci"]
                                          + ReachingKindTests.kubeconfig(folder), in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == 73, "\(result.stderr)")
        let folderPath = folder.url.path
        #expect(result.stderr.contains("kind-ci: error: cannot write \(folderPath)/occupied/kind-ci/env: \(folderPath)/occupied is a file, not a folder"),
                "\(result.stderr)")
        #expect(result.stderr.contains("fix: choose a place the job can write"), "\(result.stderr)")
        #expect(!result.stderr.contains("internal error"), "\(result.stderr)")
    }

    @Test func aKubeconfigThatCannotBeWrittenEndsWith73() throws {
        let kind = try FakeKindAPI()
        let folder = try ReachingKindTests.project(kind)
        try folder.write("occupied", "a file, not a folder\n")
        let kubeconfig = folder.url.appendingPathComponent("occupied/config").path
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes", "--kubeconfig", kubeconfig],
                                          in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("cannot write \(folder.url.path)/occupied: \(folder.url.path)/occupied is a file, not a folder"),
                "\(result.stderr)")
        let report = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(report.contains("classname=\"kind-ci.kubernetes\" name=\"kubernetes\""), "\(report)")
    }
}
