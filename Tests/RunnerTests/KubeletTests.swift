import AsyncHTTPClient
import Foundation
import Testing
import TestSupport

/// With `--docker`, the Kubernetes stand-in runs pods as containers on the test dockerd (playing
/// kind's docker), and reports them as kind's kubelet would: checked with the real kubectl.
@Suite(.enabled(if: TestDocker.enabled))
struct KubeletTests {
    static let workload = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: real}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: sleeper, namespace: real}
        spec:
          replicas: 1
          selector: {matchLabels: {app: sleeper}}
          template:
            metadata: {labels: {app: sleeper}}
            spec:
              containers:
              - {name: main, image: "\(FakeKind.busybox)", command: ["sh", "-c"], args: ["echo started $GREETING; sleep 3600"],
                 env: [{name: GREETING, value: from-env}]}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: ok, namespace: real}
        spec:
          template:
            spec: {restartPolicy: Never, containers: [{name: c, image: "\(FakeKind.busybox)", command: ["sh", "-c", "echo job done"]}]}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: bad, namespace: real}
        spec:
          template:
            spec: {restartPolicy: Never, containers: [{name: c, image: "\(FakeKind.busybox)", command: ["sh", "-c", "exit 3"]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: latest, namespace: real}
        spec: {containers: [{name: c, image: "example-app:latest"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: crashing, namespace: real}
        spec: {containers: [{name: c, image: "\(FakeKind.busybox)", command: ["sh", "-c", "exit 1"]}]}

        """

    /// A stand-in whose pods run on the test dockerd, with `manifests` applied by kubectl.
    struct Cluster {
        let api: FakeKindAPI
        let folder: TemporaryFolder
        let kubeconfig: URL

        init(applying manifests: String) async throws {
            try FakeKind.build()
            let tcp = try #require(TestDocker.tcp, "no test dockerd: run scripts/test")
            api = try FakeKindAPI(apiOptions: ["--docker", "tcp://\(tcp)"])
            folder = try TemporaryFolder()
            kubeconfig = try folder.write("kubeconfig", try KubernetesTLSTests.kubeconfig(.tlsServerNameIP, port: api.apiPort))
            let file = try folder.write("manifests.yaml", manifests)
            // The stand-in may still be starting.
            var applied = try kubectl(["apply", "--server-side", "--validate=false", "-f", file.path])
            for _ in 0..<50 where applied.status != 0 {
                try await Task.sleep(for: .milliseconds(100))
                applied = try kubectl(["apply", "--server-side", "--validate=false", "-f", file.path])
            }
            #expect(applied.status == 0, "\(applied.stderr)")
        }

        func kubectl(_ arguments: [String]) throws -> KindCIBinary.Result {
            try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", kubeconfig.path] + arguments)
        }
    }

    @Test func podsRunAndFailAsOnKind() async throws {
        let cluster = try await Cluster(applying: Self.workload)
        let api = cluster.api
        let kubectl = cluster.kubectl
        #expect(try kubectl(["-n", "real", "rollout", "status", "deployment/sleeper", "--timeout=120s"]).status == 0)
        #expect(try kubectl(["-n", "real", "wait", "--for=condition=complete", "job/ok", "--timeout=120s"]).status == 0)
        #expect(try kubectl(["-n", "real", "wait", "--for=condition=failed", "job/bad", "--timeout=120s"]).status == 0)
        // A running container really runs: its output is the pod's log.
        var log = try kubectl(["-n", "real", "logs", "deployment/sleeper"]).stdout
        for _ in 0..<50 where !log.contains("started from-env") {
            try await Task.sleep(for: .milliseconds(200))
            log = try kubectl(["-n", "real", "logs", "deployment/sleeper"]).stdout
        }
        #expect(log.contains("started from-env"))
        #expect(try kubectl(["-n", "real", "logs", "job/ok"]).stdout.contains("job done"))
        #expect(try kubectl(["-n", "real", "get", "pods", "-l", "job-name=bad", "-o",
                             "jsonpath={.items[0].status.containerStatuses[0].state.terminated.exitCode}"]).stdout == "3")
        // `latest` always pulls, and nothing can be pulled here; a container that keeps exiting crash-loops.
        var latest = ""
        var crashing = ""
        for _ in 0..<100 where !(latest.contains("ImagePullBackOff") && crashing.contains("CrashLoopBackOff")) {
            try await Task.sleep(for: .milliseconds(200))
            latest = try kubectl(["-n", "real", "get", "pod", "latest", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"]).stdout
            crashing = try kubectl(["-n", "real", "get", "pod", "crashing", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"]).stdout
        }
        #expect(latest == "ImagePullBackOff")
        #expect(crashing == "CrashLoopBackOff")
        // Each step is recorded as an event about its object, as kubectl describe shows them.
        let events = try kubectl(["-n", "real", "get", "events", "-o",
                                  "jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.type} {.reason}: {.message}{\"\\n\"}{end}"]).stdout
        #expect(events.contains("Pod/latest Warning Failed: Failed to pull image \"example-app:latest\""), "\(events)")
        #expect(events.contains("Pod/latest Warning BackOff: Back-off pulling image \"example-app:latest\""))
        #expect(events.contains("Pod/crashing Warning BackOff: Back-off restarting failed container c"))
        #expect(events.contains("Job/ok Normal Completed: Job completed"))
        #expect(events.contains("Job/bad Warning BackoffLimitExceeded"))
        #expect(events.contains("Deployment/sleeper Normal ScalingReplicaSet: Scaled up replica set sleeper-"))
        #expect(events.contains(" Normal Started: Started container main"))
        // Deleting a pod removes its container.
        #expect(try kubectl(["-n", "real", "delete", "pod", "crashing"]).status == 0)
        var left = "x"
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(200))
            left = try TestDocker.docker(["ps", "-aq", "--filter", "label=io.kubernetes.pod.name=crashing",
                                          "--filter", "label=io.kind-ci.test-kubelet=\(api.apiPort)"])
        }
        #expect(left.isEmpty)
    }

    /// A NodePort Service forwards `<stand-in host>:<nodePort>` to a ready pod, as a job reaches a
    /// Service in kind.
    @Test func aNodePortReachesThePod() async throws {
        let cluster = try await Cluster(applying: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: "\(FakeKind.busybox)", command: ["sh", "-c", "mkdir /www && echo hello-nodeport > /www/index.html && httpd -f -p 8080 -h /www"]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              type: NodePort
              selector: {app: web}
              ports: [{port: 8080, targetPort: 8080}]

            """)
        let kubectl = cluster.kubectl
        #expect(try kubectl(["rollout", "status", "deployment/web", "--timeout=120s"]).status == 0)
        let nodePort = try #require(Int(try kubectl(["get", "service", "web", "-o", "jsonpath={.spec.ports[0].nodePort}"]).stdout))
        #expect((30000...32767).contains(nodePort))
        var page = ""
        var problem = ""
        for _ in 0..<120 where !page.contains("hello-nodeport") {
            try await Task.sleep(for: .milliseconds(500))
            do {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(nodePort)/"), timeout: .seconds(5))
                page = String(buffer: try await response.body.collect(upTo: 1 << 16))
            } catch {
                problem = "port \(nodePort): \(error)"
            }
        }
        let pod = try kubectl(["get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].status}"]).stdout
        #expect(page.contains("hello-nodeport"), "\(problem); pod: \(pod)")
    }
}
