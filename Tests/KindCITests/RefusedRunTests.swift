import Foundation
import KindCICore
import Testing
import TestSupport

/// A run refused before kind is touched (kind-ci.yml, the manifests, the job's variables: 78)
/// still leaves `report.xml` with a failed case per problem and ends with its closing line, so
/// that the CI's test view says why the job failed.
@Suite struct RefusedRunTests {
    @Test func aBrokenConfigurationIsAFailedCasePerProblem() throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "build:\n  - image: web:ci\n    context: nowhere\ntset: {run: make}\n")
        let result = try KindCIBinary.run(["run"], in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci.yml: 2 problems\nkind-ci: failed (exit 78) in "), "\(result.stderr)")
        let report = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(report.contains("tests=\"2\" failures=\"2\""), "\(report)")
        #expect(report.contains("<testcase classname=\"kind-ci.configuration\" name=\"kind-ci.yml:3:14: build[0].context: "), "\(report)")
        #expect(report.contains("<testcase classname=\"kind-ci.configuration\" name=\"kind-ci.yml:4:1: "), "\(report)")
    }

    @Test func aMissingConfigurationAndABadJobTimeoutAreReportedToo() throws {
        let empty = try TemporaryFolder()
        let missing = try KindCIBinary.run(["run"], in: empty.url, environment: ReachingKindTests.noCI)
        #expect(missing.status == 78, "\(missing.stderr)")
        let report = try String(contentsOf: empty.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(report.contains("name=\"kind-ci.yml: no such file\""), "\(report)")

        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "test: {run: 'true'}\n")
        var environment = ReachingKindTests.noCI
        environment["KIND_CI_JOB_TIMEOUT"] = "an hour"
        let refused = try KindCIBinary.run(["run"], in: folder.url, environment: environment)
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("KIND_CI_JOB_TIMEOUT=an hour is not a duration"), "\(refused.stderr)")
        #expect(try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
            .contains("classname=\"kind-ci.configuration\""))
    }
}
