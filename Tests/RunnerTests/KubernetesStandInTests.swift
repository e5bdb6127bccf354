import Foundation
import NIOCore
import Testing
import TestSupport
@testable import Runner

/// The Kubernetes API stand-in, checked with the real kubectl (which keeps it honest) and with
/// kind-ci's own client for what kubectl never sends.
@Suite struct KubernetesStandInTests {
    let api: FakeKindAPI
    let folder: TemporaryFolder
    let kubeconfig: URL

    init() async throws {
        api = try FakeKindAPI()
        folder = try TemporaryFolder()
        kubeconfig = try folder.write("kubeconfig", try KubernetesTLSTests.kubeconfig(.tlsServerNameIP, port: api.apiPort))
        // Wait for the stand-in to listen.
        for _ in 0..<50 where try kubectl(["get", "--raw", "/version"]).status != 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @discardableResult
    func kubectl(_ arguments: [String], input: String? = nil) throws -> KindCIBinary.Result {
        if let input {
            let file = try folder.write("input-\(UUID().uuidString.prefix(6)).yaml", input)
            return try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", kubeconfig.path] + arguments + ["-f", file.path])
        }
        return try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", kubeconfig.path] + arguments)
    }

    static let workload = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: demo, labels: {app: web}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web, tier: front}}
            spec: {containers: [{name: web, image: "hello:ci"}]}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once, namespace: demo}
        spec:
          template:
            spec: {restartPolicy: Never, containers: [{name: c, image: "hello:ci"}]}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, namespace: demo}
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets, singular: widget}
          scope: Namespaced
          versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]

        """

    @Test func kubectlAppliesAndWaitsAsOnKind() throws {
        let applied = try kubectl(["apply", "--server-side", "--validate=false"], input: Self.workload)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("deployment.apps/web serverside-applied"))
        let rollout = try kubectl(["-n", "demo", "rollout", "status", "deployment/web", "--timeout=30s"])
        #expect(rollout.stdout.contains("successfully rolled out"), "\(rollout.stdout)\(rollout.stderr)")
        #expect(try kubectl(["-n", "demo", "wait", "--for=condition=complete", "job/once", "--timeout=30s"]).status == 0)
        #expect(try kubectl(["wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=30s"]).status == 0)
        #expect(try kubectl(["-n", "demo", "get", "pvc", "data", "-o", "jsonpath={.status.phase}"]).stdout == "Bound")
        #expect(try kubectl(["-n", "demo", "get", "serviceaccount", "default", "-o", "name"]).stdout == "serviceaccount/default\n")
        let selected = try kubectl(["-n", "demo", "get", "pods", "-l", "app=web,tier in (front)", "--field-selector", "status.phase=Running", "-o", "name"])
        #expect(selected.stdout.split(separator: "\n").count == 2, "\(selected.stdout)")
        #expect(try kubectl(["-n", "demo", "get", "pods", "-l", "app!=web", "-o", "name"]).stdout.split(separator: "\n").count == 1)
        #expect(try kubectl(["-n", "demo", "logs", "job/once"]).status == 0)

        // A changed template rolls out anew; scaling follows.
        #expect(try kubectl(["-n", "demo", "patch", "deployment", "web", "--type", "merge", "-p", #"{"spec":{"replicas":3}}"#]).status == 0)
        #expect(try kubectl(["-n", "demo", "rollout", "status", "deployment/web", "--timeout=30s"]).status == 0)
        #expect(try kubectl(["-n", "demo", "get", "deployment", "web", "-o", "jsonpath={.status.availableReplicas}"]).stdout == "3")
        #expect(try kubectl(["-n", "demo", "delete", "job", "once"]).status == 0)
        #expect(try kubectl(["-n", "demo", "get", "job", "once"]).stderr.contains("NotFound"))
    }

    @Test func refusesWhatTheRealAPIRefuses() async throws {
        let transport = try Kubeconfig(yaml: String(contentsOf: kubeconfig, encoding: .utf8), source: "test").transport()
        let deployment = ByteBuffer(string: #"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}"#)
        let noManager = try await transport.send(.PATCH, "/apis/apps/v1/namespaces/default/deployments/web", body: deployment,
                                                 contentType: "application/apply-patch+yaml", timeout: .seconds(180))
        #expect(noManager.status == 400)
        #expect(noManager.text.contains("fieldManager: Required value"))
        let otherName = try await transport.send(.PATCH, "/apis/apps/v1/namespaces/default/deployments/api?fieldManager=kind-ci",
                                                 body: deployment, contentType: "application/apply-patch+yaml", timeout: .seconds(180))
        #expect(otherName.status == 400)
        #expect(otherName.text.contains("does not match the name on the URL"))
        let otherKind = try await transport.send(.PATCH, "/apis/apps/v1/namespaces/default/statefulsets/web?fieldManager=kind-ci",
                                                 body: deployment, contentType: "application/apply-patch+yaml", timeout: .seconds(180))
        #expect(otherKind.status == 400)
        let missingNamespace = try await transport.send(.PATCH, "/apis/apps/v1/namespaces/nowhere/deployments/web?fieldManager=kind-ci",
                                                        body: deployment, contentType: "application/apply-patch+yaml", timeout: .seconds(180))
        #expect(missingNamespace.status == 404)
        #expect(missingNamespace.text.contains(#"namespaces \"nowhere\" not found"#))
        let created = try await transport.send(.PATCH, "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kind-ci",
                                               body: deployment, contentType: "application/apply-patch+yaml", timeout: .seconds(180))
        #expect(created.status == 201, "\(created.text)")
        let again = try await transport.send(.PATCH, "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kind-ci",
                                             body: deployment, contentType: "application/apply-patch+yaml", timeout: .seconds(180))
        #expect(again.status == 200)
    }
}

/// The stand-in inside a container (as the kind stand-in image holds it), reached the way a
/// job reaches kind: through a published port, with kind's certificate and `tls-server-name`.
@Suite(.enabled(if: TestDocker.enabled))
struct KubernetesStandInContainerTests {
    @Test func kubectlReachesTheStandInInsideAContainer() async throws {
        let certificates = FakeKindAPI.certificates
        let container = try StandInContainer("KubernetesAPIStandIn", [
            "--host", "0.0.0.0", "--port", "8443",
            "--cert", certificates.appendingPathComponent("server-cert.pem").path,
            "--key", certificates.appendingPathComponent("server-key.pem").path,
            "--client-ca", certificates.appendingPathComponent("ca.pem").path,
        ], publishing: 8443, mounts: [certificates])
        let port = try container.hostPort(8443)
        let folder = try TemporaryFolder()
        let kubeconfig = try folder.write("kubeconfig", try KubernetesTLSTests.kubeconfig(.tlsServerNameIP, port: port))
        var result = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", kubeconfig.path, "get", "namespaces", "-o", "name"])
        for _ in 0..<100 where result.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            result = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", kubeconfig.path, "get", "namespaces", "-o", "name"])
        }
        #expect(result.status == 0, "\(result.stderr)\n\(container.logs)")
        #expect(result.stdout.contains("namespace/kube-system"))
        #expect(container.logs.contains("listening on 0.0.0.0:8443"))
    }
}
