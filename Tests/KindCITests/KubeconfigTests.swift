import Foundation
import KindCICore
import Testing
import TestSupport

/// The kubeconfig `run` installs: rewritten for the job, verified, merged, private, and usable by
/// the real kubectl.
@Suite struct KubeconfigTests {
    @Test func kubectlWorksWithTheKubeconfigRunWrites() throws {
        let kind = try FakeKindAPI()
        let folder = try ReachingKindTests.project(kind)
        let path = folder.url.appendingPathComponent("home/.kube/config").path
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes", "--kubeconfig", path],
                                          in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("TLS name 172.30.99.1); the API answers"))
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.contains("server: https://127.0.0.1:\(kind.apiPort)"))
        #expect(written.contains("tls-server-name: 172.30.99.1"))
        #expect(written.contains("current-context: kind-ci"))
        #expect(!written.contains("insecure-skip-tls-verify"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let kubectl = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", path, "get", "--raw", "/version"])
        #expect(kubectl.status == 0, "\(kubectl.stderr)")
        #expect(kubectl.stdout.contains(#""gitVersion":"v1.23.10""#))
    }

    @Test func mergingKeepsTheOtherContexts() throws {
        let kind = try FakeKindAPI()
        let folder = try ReachingKindTests.project(kind)
        let path = try folder.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters:
            - cluster: {server: "https://prod.example.com:6443"}
              name: prod
            contexts:
            - context: {cluster: prod, user: me}
              name: prod
            current-context: prod
            users:
            - name: me
              user: {token: keep-me}

            """).path
        for _ in 0..<2 {
            let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes", "--kubeconfig", path],
                                              in: folder.url, environment: ReachingKindTests.noCI)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let contexts = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", path, "config", "get-contexts", "-o", "name"])
        #expect(contexts.stdout.split(separator: "\n").sorted() == ["kind-ci", "prod"], "\(contexts.stdout)")
        #expect(try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", path, "config", "current-context"]).stdout == "kind-ci\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("token: keep-me"))
    }

    @Test func neverGoesIntoTheArtifacts() throws {
        let kind = try FakeKindAPI()
        let folder = try ReachingKindTests.project(kind)
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes", "--kubeconfig", ".kind-ci/kubeconfig"],
                                          in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == ExitStatus.badConfiguration.rawValue)
        #expect(result.stderr.contains("would go into the artifacts"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/kubeconfig").path))
    }
}
