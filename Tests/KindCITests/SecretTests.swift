import Foundation
import KindCICore
import Testing
import TestSupport

/// Secrets planted everywhere a run can meet them (registry credentials in the environment and in
/// the docker config file, a token variable, kind's admin key) and echoed by every child (a build
/// step, a deploy step, a pod, the tests, a test report): none may appear in the log, report.xml,
/// the build logs, the copied reports or the diagnostics, which are the owner's alone.
extension DeployTests {
    @Test func plantedSecretsAppearNowhere() throws {
        let registry = try TestRegistry()
        let image = try registry.push(FakeKind.busybox, as: "private/\(Self.unique("secretive")):1.0")
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        let token = "tok-\(UUID().uuidString)"
        let dockerPassword = "cfg-\(UUID().uuidString)"
        let dockerAuth = Data("robot:\(dockerPassword)".utf8).base64EncodedString()
        let built = "kind-ci-test/\(Self.unique("leaky")):ci"
        defer { _ = try? TestDocker.docker(["rmi", "-f", built]) }
        let folder = try project("""
            build:
              - image: \(built)
                args: {TOKEN: "\(token)"}
            deploy:
              - manifests: app.yaml
              - run: echo "deploy step says $REGISTRY_PASSWORD and $MY_API_TOKEN"
            test:
              run: echo "tests say $REGISTRY_PASSWORD $MY_API_TOKEN"; cat "$KUBECONFIG" "$DOCKER_CONFIG/config.json"; mkdir -p out; echo "<x>$MY_API_TOKEN</x>" > out/junit.xml; exit 3
              reports: out/*.xml

            """, files: [
                "Dockerfile": "FROM \(FakeKind.busybox)\nARG TOKEN\nRUN echo \"build step says $TOKEN\"\n",
                "app.yaml": Self.deployment("talker", container: #"{name: t, image: "\#(image)", env: [{name: T, value: "\#(token)"}], command: ["sh", "-c", "echo pod says $T; sleep 3600"]}"#),
                "docker/config.json": #"{"auths": {"secrets.example.com": {"auth": "\#(dockerAuth)"}}}"#,
            ])
        let kubeconfig = folder.url.appendingPathComponent("home/.kube/config")
        let result = try KindCIBinary.run(["run", "--verbose", "--host", "127.0.0.1", "--kubeconfig", kubeconfig.path], in: folder.url,
                                          environment: ReachingKindTests.noCI.merging([
                                              "REGISTRY": registry.address, "REGISTRY_USER": registry.user, "REGISTRY_PASSWORD": registry.password,
                                              "DOCKER_CONFIG": folder.url.appendingPathComponent("docker").path, "MY_API_TOKEN": token,
                                          ]) { $1 })
        #expect(result.status == 3, "\(result.stderr)")
        // The children did print them, masked: the test is not vacuous.
        #expect(result.stderr.contains("tests say [masked] [masked]"), "\(result.stderr)")
        #expect(result.stderr.contains("deploy step says [masked] and [masked]"), "\(result.stderr)")
        #expect(result.stderr.contains("build step says [masked]"), "\(result.stderr)")

        // kind's admin key as its kubeconfig carries it, and a line of it decoded.
        let kindKey = try #require(try FakeKindAPI.kindKubeconfig().split(separator: "\n").first { $0.contains("client-key-data:") }?
            .split(separator: " ").last.map(String.init))
        let keyLine = try #require(String(decoding: Data(base64Encoded: kindKey) ?? Data(), as: UTF8.self).split(separator: "\n").dropFirst(2).first.map(String.init))
        let secrets = ["registry password": registry.password, "token": token, "docker config password": dockerPassword,
                       "docker config auth": dockerAuth, "kind's key": kindKey, "a line of kind's key": keyLine]
        let artifacts = folder.url.appendingPathComponent(".kind-ci")
        let files = (FileManager.default.enumerator(atPath: artifacts.path)?.allObjects as? [String] ?? []).filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: artifacts.appendingPathComponent(path).path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        #expect(files.contains("diagnostics/pods.txt") && files.contains { $0.hasPrefix("diagnostics/logs/") } && files.contains("reports/junit.xml"),
                "\(files)")
        var places = ["stdout": result.stdout, "stderr": result.stderr]
        for file in files { places[file] = String(decoding: try Data(contentsOf: artifacts.appendingPathComponent(file)), as: UTF8.self) }
        #expect(places.contains { $0.value.contains("pod says [masked]") }, "the pod's log is among the diagnostics")
        var leaks: [String] = []
        for (secret, value) in secrets {
            for (place, text) in places where text.contains(value) { leaks.append("\(secret) in \(place)") }
        }
        Ledger.record(.secret, "run", "planted", count: secrets.count)
        Ledger.record(.secret, "run", "leaked", count: Set(leaks.map { $0.split(separator: " in ").first! }).count)
        #expect(leaks.isEmpty, "\(leaks)")

        // Readable by their owner only: the kubeconfig (kind's admin key) and the diagnostics.
        func mode(_ url: URL) throws -> Int { try (FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? -1 }
        #expect(try mode(kubeconfig) == 0o600)
        for file in files where file.hasPrefix("diagnostics/") {
            #expect(try mode(artifacts.appendingPathComponent(file)) == 0o600, "\(file)")
        }
    }
}
