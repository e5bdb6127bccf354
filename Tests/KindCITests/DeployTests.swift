import Foundation
import Testing
import TestSupport

/// `run` deploying and waiting, end to end: the binary against the stand-ins, with the images built
/// into the test dockerd (kind's docker here) and pods run there by the stand-in's kubelet.
@Suite(.enabled(if: TestDocker.enabled))
struct DeployTests {
    let kind: FakeKindAPI
    let dockerPort: Int

    init() throws {
        try FakeKind.build()
        let tcp = try #require(TestDocker.tcp, "no test dockerd: run scripts/test")
        dockerPort = try #require(Int(tcp.split(separator: ":").last ?? ""))
        kind = try FakeKindAPI(apiOptions: ["--docker", "tcp://\(tcp)"])
    }

    /// A project reaching the stand-ins, with `config` after the kind section, and `files`.
    func project(_ config: String, files: [String: String] = [:]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", """
            kind:
              ports: {config: \(kind.config.port), docker: \(dockerPort), api: \(kind.apiPort)}
              timeouts: {docker: 60s, kubernetes: 60s}

            """ + config)
        for (path, text) in files { try folder.write(path, text) }
        return folder
    }

    func run(_ folder: TemporaryFolder, until: String? = "ready") throws -> KindCIBinary.Result {
        try KindCIBinary.run(["run", "--host", "127.0.0.1"] + (until.map { ["--until", $0] } ?? []) + ReachingKindTests.kubeconfig(folder),
                             in: folder.url, environment: ReachingKindTests.noCI)
    }

    func kubectl(_ folder: TemporaryFolder, _ arguments: [String]) throws -> KindCIBinary.Result {
        try Command.run("/usr/bin/env", ["kubectl"] + ReachingKindTests.kubeconfig(folder) + arguments)
    }

    /// A Deployment of one replica running `container` (a flow mapping).
    static func deployment(_ name: String, container: String) -> String {
        ManifestFixtures.deployment(name, containers: [container])
    }

    static let server = "mkdir /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"

    @Test func buildsAppliesInOrderAndWaitsUntilReady() throws {
        let repository = "kind-ci-test/deploy-\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? TestDocker.docker(["rmi", "-f", "\(repository):ci"]) }
        let folder = try project("""
            build:
              - image: \(repository):ci
                context: app
            deploy:
              - manifests: k8s/
                namespace: shop
              - run: echo "step sees $KIND_CI_IMAGE_\(repository.split(separator: "/").last!.uppercased().replacing("-", with: "_")) and $KUBECONFIG" > step.txt
            wait: {timeout: 2m}

            """, files: [
                "app/Dockerfile": "FROM \(FakeKind.busybox)\nCMD [\"sh\", \"-c\", \"\(Self.server)\"]\n",
                // A custom resource before its definition, in one file: the definition goes first.
                "k8s/widgets.yaml": """
                    apiVersion: example.com/v1
                    kind: Widget
                    metadata: {name: gear}
                    spec: {size: 3}
                    ---
                    apiVersion: apiextensions.k8s.io/v1
                    kind: CustomResourceDefinition
                    metadata: {name: widgets.example.com}
                    spec:
                      group: example.com
                      scope: Namespaced
                      names: {plural: widgets, singular: widget, kind: Widget}
                      versions: [{name: v1, served: true, storage: true}]

                    """,
                "k8s/app.yaml": """
                    apiVersion: v1
                    kind: List
                    items:
                    - apiVersion: apps/v1
                      kind: Deployment
                      metadata: {name: api}
                      spec:
                        replicas: 2
                        selector: {matchLabels: {app: api}}
                        template:
                          metadata: {labels: {app: api}}
                          spec: {containers: [{name: api, image: "\(repository):dev"}]}
                    - apiVersion: batch/v1
                      kind: Job
                      metadata: {name: migrate}
                      spec:
                        template:
                          spec: {restartPolicy: Never, containers: [{name: m, image: "\(FakeKind.busybox)", command: ["true"]}]}
                    - apiVersion: v1
                      kind: PersistentVolumeClaim
                      metadata: {name: data}
                      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}

                    """,
            ])
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        // A List's items are located too: the rewrite names the line of the image it replaced.
        #expect(result.stderr.contains("runs the build: deployment/api container api (k8s/app.yaml:12:"), "\(result.stderr)")
        #expect(result.stderr.contains("): \(repository):dev → \(repository):ci"), "\(result.stderr)")
        #expect(result.stderr.contains("applied customresourcedefinition/widgets.example.com"))
        #expect(result.stderr.contains("applied widget/gear in shop"))
        #expect(result.stderr.contains("applied deployment/api in shop"))
        #expect(result.stderr.contains("Deploying: 5 objects applied"))
        #expect(result.stderr.contains("Waiting for the workloads: 4 ready"))
        // The definition was applied (and established) before the resource that needs it.
        let definition = try #require(result.stderr.range(of: "applied customresourcedefinition/widgets.example.com"))
        let widget = try #require(result.stderr.range(of: "applied widget/gear"))
        #expect(definition.lowerBound < widget.lowerBound)
        let step = try String(contentsOf: folder.url.appendingPathComponent("step.txt"), encoding: .utf8)
        #expect(step.contains("step sees \(repository):ci and \(folder.url.appendingPathComponent("home/.kube/config").path)"))
        let available = try kubectl(folder, ["-n", "shop", "get", "deployment", "api", "-o", "jsonpath={.status.availableReplicas}"])
        #expect(available.stdout == "2", "\(available.stderr)")
        let image = try kubectl(folder, ["-n", "shop", "get", "deployment", "api", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])
        #expect(image.stdout == "\(repository):ci")
    }

    /// Manifests name the published release (`registry.example.com/<org>/<svc>:1.2.3`, as real
    /// repositories do): the pods run the image built from this commit, never pulled (the stand-in's
    /// kubelet runs only what kind's docker has, and a pull of that registry would fail).
    @Test func aRegistryPathInTheManifestsRunsTheBuiltImage() throws {
        let repository = "kind-ci-test/web-\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? TestDocker.docker(["rmi", "-f", "\(repository):ci"]) }
        let folder = try project("""
            build:
              - image: \(repository):ci
                context: web
                replaces: registry.example.com/example-org/web
            deploy:
              - manifests: deploy/
            wait: {timeout: 2m}

            """, files: [
                "web/Dockerfile": "FROM \(FakeKind.busybox)\nCMD [\"sh\", \"-c\", \"\(Self.server)\"]\n",
                "deploy/web.yaml": Self.deployment("web", container: #"{name: web, image: "registry.example.com/example-org/web:1.2.3", imagePullPolicy: Always}"#),
            ])
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("runs the build: deployment/web container web (deploy/web.yaml:"), "\(result.stderr)")
        #expect(result.stderr.contains("): registry.example.com/example-org/web:1.2.3 → \(repository):ci"), "\(result.stderr)")
        #expect(!result.stderr.contains("pre-pulling"), "\(result.stderr)")
        let image = try kubectl(folder, ["get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].imagePullPolicy}"])
        #expect(image.stdout == "\(repository):ci IfNotPresent", "\(image.stderr)")
    }

    @Test func aMissingImageFailsAtOnceAndSaysWhy() throws {
        let folder = try project("""
            deploy:
              - manifests: app.yaml
            wait: {timeout: 5m}

            """, files: ["app.yaml": Self.deployment("api", container: #"{name: api, image: "kind-ci-test/never-built:1.0"}"#)])
        let started = ContinuousClock.now
        let result = try run(folder)
        #expect(result.status == 66, "\(result.stderr)")
        #expect(result.stderr.contains("error: the deployment failed:"))
        #expect(result.stderr.contains("deployment/api: pod api-"))
        #expect(result.stderr.contains("kind-ci-test/never-built:1.0 is not in kind's docker and cannot be pulled"))
        // The diagnostics summary names the pod and the kubelet's warning.
        #expect(result.stderr.contains("==> Gathering diagnostics"))
        let summary = result.stderr.split(separator: "\n").first { $0.hasPrefix("    pod default/api-") }
        #expect(summary?.contains("never-built:1.0") == true, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci: failed (exit 66) in "))
        let reportXML = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(reportXML.contains("<testcase classname=\"kind-ci.ready\" name=\"deployment/api in default\""))
        // At once, not at the 5 minute deadline.
        #expect(ContinuousClock.now - started < .seconds(240))
    }

    @Test func untilDeployDoesNotWait() throws {
        let folder = try project("deploy:\n  - manifests: pod.yaml\n", files: ["pod.yaml": """
            apiVersion: v1
            kind: Pod
            metadata: {name: stuck}
            spec: {containers: [{name: c, image: "kind-ci-test/never-built:1.0"}]}

            """])
        let result = try run(folder, until: "deploy")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("applied pod/stuck in default"))
        #expect(!result.stderr.contains("Waiting for the workloads"))
        #expect(result.stderr.contains("kind-ci: stopped after deploy as asked (--until) in "))
        #expect(result.stdout.contains("KUBECONFIG="))
    }

    @Test func aFailingJobACrashingContainerAndAFailingStepAreExit66() throws {
        let job = try project("deploy:\n  - manifests: job.yaml\n", files: ["job.yaml": """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: seed}
            spec:
              backoffLimit: 0
              template:
                spec: {restartPolicy: Never, containers: [{name: c, image: "\(FakeKind.busybox)", command: ["sh", "-c", "exit 4"]}]}

            """])
        let failed = try run(job)
        #expect(failed.status == 66, "\(failed.stderr)")
        #expect(failed.stderr.contains("job/seed: failed (BackoffLimitExceeded)"))

        let crash = try project("deploy:\n  - manifests: pod.yaml\nwait: {timeout: 5m}\n", files: ["pod.yaml": """
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher}
            spec: {containers: [{name: c, image: "\(FakeKind.busybox)", command: ["sh", "-c", "exit 2"]}]}

            """])
        let started = ContinuousClock.now
        let crashed = try run(crash)
        #expect(crashed.status == 66, "\(crashed.stderr)")
        #expect(crashed.stderr.contains("pod/crasher: pod crasher container c CrashLoopBackOff: it keeps exiting (last exit code 2)"))
        #expect(ContinuousClock.now - started < .seconds(240))

        let step = try project("deploy:\n  - run: echo seeding; exit 3\n")
        let stepped = try run(step)
        #expect(stepped.status == 66, "\(stepped.stderr)")
        #expect(stepped.stderr.contains("seeding\n"))
        #expect(stepped.stderr.contains("error: deploy[0] `echo seeding; exit 3` exited with 3"))
    }

    @Test func toleratedCrashesAreWaitedOutUntilTheDeadline() throws {
        let folder = try project("""
            deploy:
              - manifests: pod.yaml
            wait: {timeout: 6s, tolerate: until-deadline}

            """, files: ["pod.yaml": Self.deployment("flaky", container: #"{name: c, image: "\#(FakeKind.busybox)", command: ["sh", "-c", "exit 1"]}"#)])
        let result = try run(folder)
        #expect(result.status == 66, "\(result.stderr)")
        #expect(result.stderr.contains("error: not ready after"))
        #expect(result.stderr.contains("(wait.timeout 6s)"))
        #expect(result.stderr.contains("deployment/flaky: pod flaky-"))
        #expect(result.stderr.contains("CrashLoopBackOff: it keeps exiting (last exit code 1)"))
    }

    @Test func aBrokenManifestIsExit78BeforeKindIsReached() throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "kind: {host: 192.0.2.1}\nbuild:\n  - {image: \"app:ci\", context: app}\ndeploy:\n  - manifests: k8s/\n")
        try folder.write("app/Dockerfile", "FROM scratch\n")
        try folder.write("k8s/app.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: app}]}\n---\nkind: [\n")
        let started = ContinuousClock.now
        let result = try KindCIBinary.run(["run", "--until", "ready"], in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == 78, "\(result.stderr)")
        // The first document runs the built image (`app` is rewritten to app:ci); the second is broken.
        #expect(result.stderr.contains("k8s/app.yaml:7:1: error: not valid YAML"))
        #expect(result.stderr.contains("k8s/app.yaml: 1 problem"))
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
