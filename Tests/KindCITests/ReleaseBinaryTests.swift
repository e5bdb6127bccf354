import Foundation
import KindCICore
import Testing
import TestSupport

/// The release binary users copy into job images (`--static-swift-stdlib`, built by scripts/test
/// without --quick): the newest glibc it needs, and the runner image built around it.
@Suite(.enabled(if: ReleaseBinary.path != nil))
struct ReleaseBinaryTests {
    static var binary: String? { ReleaseBinary.path }
    /// Ubuntu 22.04's glibc; Debian 12 has 2.36. The README promises both.
    static let newestGlibc = [2, 35]

    @Test func needsNoSwiftRuntimeAndGlibc235AtMost() throws {
        let path = try #require(Self.binary)
        let needed = try Command.run("/usr/bin/readelf", ["--dynamic", path]).stdout
        #expect(!needed.contains("libswiftCore"), "the Swift runtime is not linked in: \(needed)")
        let symbols = try Command.run("/usr/bin/objdump", ["-T", path]).stdout
        let versions = Set(symbols.matches(of: /GLIBC_(\d+)\.(\d+)/).map { [Int($0.1)!, Int($0.2)!] })
        let newest = try #require(versions.max { $0.lexicographicallyPrecedes($1) })
        #expect(!Self.newestGlibc.lexicographicallyPrecedes(newest), "needs GLIBC_\(newest.map(String.init).joined(separator: "."))")
    }

    @Test(.enabled(if: TestDocker.enabled))
    func theRunnerImageBuildsAndRunsKindCI() throws {
        let path = try #require(Self.binary)
        let tag = "kind-ci-test/runner:\(KindCIVersion.current)"
        try RunnerImage.build(tag: tag, binary: path)
        #expect(try TestDocker.docker(["run", "--rm", tag, "kind-ci", "--version"]) == KindCIVersion.current)
        #expect(try TestDocker.docker(["run", "--rm", tag, "sh", "-c", "command -v kubectl curl"]).contains("/usr/bin/kubectl"))
    }
}

enum ReleaseBinary {
    static var path: String? { ProcessInfo.processInfo.environment["KIND_CI_RELEASE_BINARY"] }
}
