import Foundation
import KindCICore
import Testing
import TestSupport

/// Images pulled into kind's docker while its cluster boots: the manifests' images (pre-pulled so
/// that pods start without pulling) and each build's `cache_from`, from a real registry with
/// htpasswd auth, with the job's credentials sent per request (never those of a docker config file).
extension DeployTests {
    func run(_ folder: TemporaryFolder, until: String, logIn registry: TestRegistry?) throws -> KindCIBinary.Result {
        let login: [String: String?] = registry.map { ["REGISTRY": $0.address, "REGISTRY_USER": $0.user, "REGISTRY_PASSWORD": $0.password] } ?? [:]
        return try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", until] + ReachingKindTests.kubeconfig(folder), in: folder.url,
                                    environment: ReachingKindTests.noCI.merging(["DOCKER_CONFIG": "/nonexistent"]) { $1 }.merging(login) { $1 })
    }

    static func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// kind's kubelet here pulls without credentials, so the pod starts only because kind-ci pulled
    /// its private image beforehand, with the job's.
    @Test func aPrivateImageTheManifestsRunIsPrePulledWithTheJobsCredentials() throws {
        let registry = try TestRegistry()
        let image = try registry.push(FakeKind.busybox, as: "private/\(Self.unique("sidecar")):1.0")
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        let folder = try project("deploy:\n  - manifests: app.yaml\n", files: [
            "app.yaml": Self.deployment("sidecar", container: #"{name: s, image: "\#(image)", command: ["sleep", "3600"]}"#),
        ])
        let result = try run(folder, until: "ready", logIn: registry)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("pre-pulling 1 image the manifests run into kind's docker while Kubernetes boots"), "\(result.stderr)")
        #expect(result.stderr.contains("[\(image)] pre-pulled in "), "\(result.stderr)")
        #expect(!result.stderr.contains(registry.password) && !result.stdout.contains(registry.password))
        let report = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(report.contains("classname=\"kind-ci.pull\" name=\"pre-pull \(image)\""), "\(report)")
        #expect(report.contains("<property name=\"kind-ci.phase.pre-pull\""), "\(report)")
        // Once there, it is not pulled again.
        let again = try run(folder, until: "ready", logIn: registry)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("[\(image)] already in kind's docker"), "\(again.stderr)")
    }

    /// A pre-pull that fails is a warning; the real error comes from the rollout.
    @Test func aFailedPrePullWarnsAndTheRolloutSaysWhy() throws {
        let registry = try TestRegistry()
        let image = try registry.push(FakeKind.busybox, as: "private/\(Self.unique("denied")):1.0")
        let folder = try project("deploy:\n  - manifests: app.yaml\n", files: [
            "app.yaml": Self.deployment("denied", container: #"{name: d, image: "\#(image)", command: ["sleep", "3600"]}"#),
        ])
        let result = try run(folder, until: "ready", logIn: nil)
        #expect(result.status == ExitStatus.deployFailed.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("warning: could not pre-pull \(image): "), "\(result.stderr)")
        #expect(result.stderr.contains("no basic auth credentials"), "\(result.stderr)")
        #expect(result.stderr.contains("deployment/denied: pod denied-"), "\(result.stderr)")
        #expect(result.stderr.contains("ErrImagePull") || result.stderr.contains("ImagePullBackOff"), "\(result.stderr)")
        let report = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(report.contains("<skipped message=\"not pre-pulled: "), "\(report)")
    }

    /// A registry that accepts and never answers holds the pre-pull, not the run: after
    /// `wait.timeout` the deploy goes ahead, and the rollout says why the pod cannot start.
    @Test func aStalledPrePullHoldsTheDeployNoLongerThanWaitTimeout() throws {
        let silent = try SilentPort()
        defer { withExtendedLifetime(silent) {} }
        let image = "127.0.0.1:\(silent.port)/stalled/\(Self.unique("app")):1"
        let folder = try project("deploy:\n  - manifests: app.yaml\nwait:\n  timeout: 3s\n", files: [
            "app.yaml": Self.deployment("stalled", container: #"{name: s, image: "\#(image)", command: ["sleep", "3600"]}"#),
        ])
        let result = try run(folder, until: "ready", logIn: nil)
        #expect(result.stderr.contains("warning: the pre-pulls are still going after 3.0s (wait.timeout); deploying meanwhile"), "\(result.stderr)")
        #expect(result.status == ExitStatus.deployFailed.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("deployment/stalled"), "\(result.stderr)")
    }

    /// `cache_from`: the image the last pipeline pushed gives its layers to this build, so an
    /// unchanged step is not run again; a cache image that cannot be had only costs the cache.
    @Test func cacheFromReusesThePushedImagesLayers() throws {
        let registry = try TestRegistry()
        let marker = UUID().uuidString
        let dockerfile = "FROM \(FakeKind.busybox)\nRUN echo \(marker) > /marker\nCMD [\"cat\", \"/marker\"]\n"
        let previous = "kind-ci-test/\(Self.unique("cached")):ci"
        try TestDocker.build(previous, dockerfile: dockerfile)
        let cache = try registry.push(previous, as: "cache/\(Self.unique("app")):main")
        // This pipeline's kind starts with neither the image nor its build cache.
        try TestDocker.docker(["rmi", previous])
        let image = "kind-ci-test/\(Self.unique("built")):ci"
        defer { _ = try? TestDocker.docker(["rmi", "-f", image, cache]) }
        let folder = try project("build:\n  - image: \(image)\n    cache_from: [\(cache), \(registry.address)/cache/never-pushed:main]\n",
                                 files: ["Dockerfile": dockerfile])
        let result = try run(folder, until: "images", logIn: registry)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("[\(image)] cache_from: pulled \(cache) in "), "\(result.stderr)")
        #expect(result.stderr.contains("[\(image)] cache_from: warning: \(registry.address)/cache/never-pushed:main cannot be pulled"), "\(result.stderr)")
        #expect(result.stderr.contains("[\(image)] ---> Using cache"), "\(result.stderr)")
        #expect(try TestDocker.docker(["run", "--rm", image]) == marker)

        // Without cache_from the same build runs its step again.
        try TestDocker.docker(["rmi", "-f", image, cache])
        try folder.write("kind-ci.yml", try String(contentsOf: folder.url.appendingPathComponent("kind-ci.yml"), encoding: .utf8)
            .replacing(/\n    cache_from: .*\n/, with: "\n"))
        let cold = try run(folder, until: "images", logIn: registry)
        #expect(cold.status == 0, "\(cold.stderr)")
        #expect(!cold.stderr.contains("Using cache"), "\(cold.stderr)")
    }
}
