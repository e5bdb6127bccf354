import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Runner

/// kind-ci's native client against the Kubernetes stand-in: discovery that learns a CRD's kind,
/// server-side apply and its refusals, watches that survive dropped streams, token users.
@Suite struct KubernetesClientTests {
    /// A client for a fresh stand-in, once it answers.
    static func client(_ api: FakeKindAPI, _ variant: KubernetesTLSTests.Variant = .tlsServerNameIP,
                       token: String? = nil) async throws -> KubernetesClient {
        var text = try KubernetesTLSTests.kubeconfig(variant, port: api.apiPort)
        if let token { text = text.replacing("token: not-a-certificate", with: "token: \(token)") }
        let client = KubernetesClient(transport: try Kubeconfig(yaml: text, source: "test").transport())
        // Generous: in-process TLS verification waits for the cooperative pool, which busy tests may hold.
        _ = try await client.transport.sendRetrying(.GET, "/version", until: .now + .seconds(180))
        return client
    }

    static let configMaps = APIResource(groupVersion: "v1", kind: "ConfigMap", name: "configmaps", namespaced: true)

    static func configMap(_ name: String, namespace: String = "default") -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": ["k": "v"]]
    }

    @Test func discoveryLearnsAKindOnceItsDefinitionIsEstablished() async throws {
        let api = try FakeKindAPI()
        let client = try await Self.client(api)
        let deadline = ContinuousClock.now + .seconds(180)
        #expect(try await client.discovery.resource(apiVersion: "apps/v1", kind: "Deployment", until: deadline)
            == APIResource(groupVersion: "apps/v1", kind: "Deployment", name: "deployments", namespaced: true))
        #expect(try await client.discovery.resource(apiVersion: "v1", kind: "Namespace", until: deadline)?.namespaced == false)
        #expect(try await client.discovery.resource(apiVersion: "example.com/v1", kind: "Widget", until: deadline) == nil)
        let definition: JSON = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced", "names": ["plural": "widgets", "singular": "widget", "kind": "Widget"],
                     "versions": [["name": "v1", "served": true, "storage": true]]],
        ]
        let crds = try #require(try await client.discovery.resource(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
                                                                    until: deadline))
        let stored = try await client.apply(definition, as: crds, until: deadline)
        #expect(stored.name == "widgets.example.com")
        #expect(try await client.discovery.resource(apiVersion: "example.com/v1", kind: "Widget", until: deadline)
            == APIResource(groupVersion: "example.com/v1", kind: "Widget", name: "widgets", namespaced: true))
    }

    @Test func applyCreatesThenUpdatesAndPassesOnTheAPIsRefusals() async throws {
        let api = try FakeKindAPI()
        let client = try await Self.client(api)
        let deadline = ContinuousClock.now + .seconds(180)
        let created = try await client.apply(Self.configMap("settings"), as: Self.configMaps, until: deadline)
        var changed = Self.configMap("settings")
        changed["data"] = ["k": "changed"]
        let updated = try await client.apply(changed, as: Self.configMaps, until: deadline)
        #expect(updated[path: "data", "k"] == "changed")
        #expect(updated[path: "metadata", "uid"] == created[path: "metadata", "uid"])
        let fetched = try await client.get(KubernetesClient.path(Self.configMaps, namespace: "default", name: "settings"), until: deadline)
        #expect(fetched?[path: "data", "k"] == "changed")
        #expect(try await client.get(KubernetesClient.path(Self.configMaps, namespace: "default", name: "absent"), until: deadline) == nil)
        await #expect {
            try await client.apply(Self.configMap("lost", namespace: "nowhere"), as: Self.configMaps, until: deadline)
        } throws: { error in
            (error as? KubernetesRequestFailed)?.description == "404 NotFound: namespaces \"nowhere\" not found"
        }
    }

    /// Names seen by a watch, and how often it started from a list.
    final class Seen: Sendable {
        let state = Mutex((names: Set<String>(), snapshots: 0))
    }

    @Test func aWatchIsResumedAfterTheServerDropsIt() async throws {
        let api = try FakeKindAPI(apiOptions: ["--drop-watches-after", "0.4"])
        let client = try await Self.client(api)
        let deadline = ContinuousClock.now + .seconds(180)
        _ = try await client.apply(Self.configMap("before"), as: Self.configMaps, until: deadline)
        let seen = Seen()
        let names = ["before"] + (1...6).map { "after-\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await client.observe(KubernetesClient.path(Self.configMaps, namespace: nil)) { change in
                    seen.state.withLock { state in
                        switch change {
                        case let .snapshot(items):
                            state.snapshots += 1
                            state.names.formUnion(items.map(\.name))
                        case let .updated(object): state.names.insert(object.name)
                        case .deleted: break
                        }
                    }
                }
            }
            // Created across several dropped streams (one every 0.4 s).
            for name in names.dropFirst() {
                try await Task.sleep(for: .milliseconds(300))
                _ = try await client.apply(Self.configMap(name), as: Self.configMaps, until: deadline)
            }
            while !seen.state.withLock({ $0.names.isSuperset(of: names) }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
        #expect(seen.state.withLock { $0.names }.isSuperset(of: names))
        // Resumed from the last version each time, never listed again.
        #expect(seen.state.withLock { $0.snapshots } == 1)
    }

    @Test func aTokenUserIsAcceptedWithTheServerStillVerified() async throws {
        let api = try FakeKindAPI(apiOptions: ["--token", "s3cret"])
        let client = try await Self.client(api, .noClientCertificate, token: "s3cret")
        let version = try await client.transport.send(.GET, "/version", timeout: .seconds(180))
        #expect(version.status == 200)
        let wrong = try await Self.client(api, .noClientCertificate)
        #expect(try await wrong.transport.send(.GET, "/api/v1/namespaces", timeout: .seconds(180)).status == 401)

        let folder = try TemporaryFolder()
        let good = try folder.write("good", try KubernetesTLSTests.kubeconfig(.noClientCertificate, port: api.apiPort)
            .replacing("token: not-a-certificate", with: "token: s3cret"))
        let kubectl = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", good.path, "get", "namespaces", "-o", "name"])
        #expect(kubectl.status == 0, "\(kubectl.stderr)")
        #expect(kubectl.stdout.contains("namespace/kube-system"))
        let bad = try folder.write("bad", try KubernetesTLSTests.kubeconfig(.noClientCertificate, port: api.apiPort))
        let refused = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", bad.path, "get", "namespaces"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Unauthorized"), "\(refused.stderr)")
    }
}
