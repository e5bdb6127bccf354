import Foundation
import KindCICore
import Testing
@testable import Runner

/// The run's timeline: each phase's span, and the chain of phases that decided when it ended.
@Suite struct RunReportTests {
    static let start = ContinuousClock.now

    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    /// The phases of a run whose builds and pre-pulls go on while the cluster boots.
    static func report(buildEnds build: Double, kubernetesEnds kubernetes: Double, prePullEnds prePull: Double) async -> RunReport {
        let report = RunReport(started: start)
        await report.phase("kind", from: at(0), to: at(0.1))
        await report.phase("build", from: at(0.1), to: at(build), after: ["kind"])
        await report.phase("kubernetes", from: at(0.1), to: at(kubernetes), after: ["kind"])
        // The pre-pulls record themselves when they end, whatever the others are doing.
        await report.phase("pre-pull", from: at(0.1), to: at(prePull), after: ["kind"])
        let deploy = max(build, kubernetes, prePull)
        await report.phase("deploy", from: at(deploy), to: at(deploy + 0.3), after: ["build", "kubernetes", "pre-pull"])
        await report.phase("ready", from: at(deploy + 0.3), to: at(deploy + 1.5), after: ["deploy"])
        await report.phase("tests", from: at(deploy + 1.5), to: at(deploy + 4), after: ["ready", "deploy", "build", "kubernetes"])
        return report
    }

    @Test func theClusterBootIsCriticalWhenTheBuildsFinishFirst() async {
        let report = await Self.report(buildEnds: 10, kubernetesEnds: 12, prePullEnds: 3)
        #expect(await report.criticalPath == ["kind", "kubernetes", "deploy", "ready", "tests"])
    }

    @Test func theBuildsAreCriticalWhenTheyFinishLast() async {
        let report = await Self.report(buildEnds: 14, kubernetesEnds: 12, prePullEnds: 3)
        #expect(await report.criticalPath == ["kind", "build", "deploy", "ready", "tests"])
    }

    @Test func aSlowPrePullShowsOnThePath() async {
        let report = await Self.report(buildEnds: 10, kubernetesEnds: 12, prePullEnds: 20)
        #expect(await report.criticalPath == ["kind", "pre-pull", "deploy", "ready", "tests"])
    }

    /// However late the pre-pulls were recorded, they show where they ran on the timeline.
    @Test func theClosingLineAndTheJUnitPropertiesShowEachSpan() async {
        let report = await Self.report(buildEnds: 10, kubernetesEnds: 12, prePullEnds: 3)
        let line = await report.closingLine(outcome: "passed")
        #expect(line.hasPrefix("kind-ci: passed in "))
        #expect(line.contains("(kind 100ms, pre-pull 2.9s, build 9.9s, kubernetes 11.9s, deploy 300ms, ready 1.2s, tests 2.5s; "
            + "critical path: kind → kubernetes → deploy → ready → tests)"), "\(line)")
        let junit = await report.junit()
        #expect(junit.contains(#"<property name="kind-ci.phase.kubernetes" value="0.100-12.000 critical"/>"#), "\(junit)")
        #expect(junit.contains(#"<property name="kind-ci.phase.build" value="0.100-10.000"/>"#), "\(junit)")
        #expect(junit.contains(#"<property name="kind-ci.critical-path" value="kind,kubernetes,deploy,ready,tests"/>"#), "\(junit)")
    }

    @Test func aRunWithoutPhasesSaysOnlyItsOutcome() async {
        let line = await RunReport(started: Self.start).closingLine(outcome: "failed (exit 78)")
        #expect(line.hasPrefix("kind-ci: failed (exit 78) in ") && !line.contains("("+"kind"))
        #expect(!(await RunReport().junit()).contains("<properties>"))
    }
}

/// Which credential goes with a pull: the image's own registry's, however the docker config
/// file spells it.
@Suite struct PullCredentialsTests {
    static let credentials: [String: RegistryCredentials.Credential] = [
        "https://index.docker.io/v1/": .init(username: "hub", password: "p1", serveraddress: "https://index.docker.io/v1/"),
        "https://registry.example.com/v2/": .init(username: "team", password: "p2", serveraddress: "https://registry.example.com/v2/"),
    ]

    static func user(_ image: String, in credentials: [String: RegistryCredentials.Credential] = credentials) throws -> String? {
        let reference = try ImageReference.parse(image).get()
        guard let header = RegistryCredentials.pullHeader(for: reference, in: credentials) else { return nil }
        let base64 = header.replacing("-", with: "+").replacing("_", with: "/")
        let json = try #require(Data(base64Encoded: base64))
        return try JSONDecoder().decode(RegistryCredentials.Credential.self, from: json).username
    }

    @Test func picksTheImagesRegistry() throws {
        #expect(try Self.user("redis:7") == "hub")
        #expect(try Self.user("docker.io/library/redis:7") == "hub")
        #expect(try Self.user("registry.example.com/team/app:1") == "team")
        #expect(try Self.user("other.example.com/app:1") == nil)
    }

    @Test func ofTwoForOneHostTheBareHostWinsEveryTime() throws {
        var both = Self.credentials
        both["registry.example.com"] = .init(username: "env", password: "p3", serveraddress: "registry.example.com")
        both["http://registry.example.com"] = .init(username: "other", password: "p4", serveraddress: "http://registry.example.com")
        #expect(try Self.user("registry.example.com/team/app:1", in: both) == "env")
        both["registry.example.com"] = nil
        #expect(try Self.user("registry.example.com/team/app:1", in: both) == "other")
    }
}

/// `{hash}` in a bake's tag: the same inputs, in any order, give the same tag; any change gives another.
@Suite struct BakeHashTests {
    static func images(_ names: String...) throws -> [ImageReference] { try names.map { try ImageReference.parse($0).get() } }

    @Test func dependsOnTheInputsAndNotTheirOrder() throws {
        var settings = BakeSettings()
        let hash = BakeHash.of(baseImageID: "sha256:aa", images: try Self.images("redis:7", "nginx:1.25"), settings: settings)
        #expect(hash.count == 12 && hash.allSatisfy(\.isHexDigit))
        #expect(BakeHash.of(baseImageID: "sha256:aa", images: try Self.images("nginx:1.25", "redis:7"), settings: settings) == hash)
        #expect(BakeHash.of(baseImageID: "sha256:bb", images: try Self.images("redis:7", "nginx:1.25"), settings: settings) != hash)
        #expect(BakeHash.of(baseImageID: "sha256:aa", images: try Self.images("redis:7.2", "nginx:1.25"), settings: settings) != hash)
        settings.before = "echo hi"
        #expect(BakeHash.of(baseImageID: "sha256:aa", images: try Self.images("redis:7", "nginx:1.25"), settings: settings) != hash)
    }
}
