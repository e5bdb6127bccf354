import Foundation
import KindCICore
import Testing
import TestSupport
@testable import Runner

/// Hostile manifest files, as `run` reads them before touching kind: whatever the bytes, the
/// reader ends in objects or in problems that each name a line and column (or the whole file) and
/// render, quickly and without crashing. Seeded, like ConfigFuzzTests.
@Suite struct ManifestFuzzTests {
    static let seeds: [String] = [
        try! String(contentsOf: Repository.root.appendingPathComponent("examples/gitlab/k8s/hello.yaml"), encoding: .utf8),
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: api, labels: {app: api}}
          spec:
            replicas: 2
            selector: {matchLabels: {app: api}}
            template:
              metadata: {labels: {app: api}}
              spec:
                initContainers: [{name: init, image: "busybox:1.36", command: [sh, -c, "true"]}]
                containers: [{name: api, image: "example-app:dev", imagePullPolicy: IfNotPresent, ports: [{containerPort: 8080}]}]
        - apiVersion: batch/v1
          kind: Job
          metadata: {name: migrate}
          spec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: "example-app:ci"}]}}}

        """,
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties: {spec: {type: object, properties: {size: {type: integer}}}}
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: gear, namespace: shop}
        spec: {size: 3}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {mode: "yes", count: "1.0", when: 2001-12-14}

        """,
    ]

    static let keys = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "spec", "template", "containers",
                       "initContainers", "image", "imagePullPolicy", "items", "selector", "matchLabels", "replicas", "data", "command"]

    @Test func anyBytesEndInObjectsOrLocatedProblems() async throws {
        let folder = try TemporaryFolder()
        let reader = ManifestReader(directory: folder.url, images: BuiltImageReferences(builds: [BuildEntry(image: try ImageReference.parse("example-app:ci").get())]),
                                    namespace: "default")
        let input = FuzzInput(seeds: Self.seeds.map { Data($0.utf8) }, keys: Self.keys)
        let bad = try await offThePool {
            var random = SeededGenerator(seed: 0x6D61_6E69_6665_7374)
            var bad: [String] = []
            for index in 0..<FuzzInput.cases {
                let data = input.make(&random)
                let started = ThreadCPUTime.now()
                var result = ManifestReader.Result()
                do {
                    try reader.parse(data, name: "fuzz.yaml", into: &result)
                } catch let problems as ConfigProblems {
                    let unlocated = problems.diagnostics.filter { $0.message.isEmpty || ($0.line < 1 || $0.column < 1) && !$0.message.hasPrefix("is ") }
                    if problems.diagnostics.isEmpty || !unlocated.isEmpty { bad.append("case \(index): unlocated \(unlocated)") }
                    _ = problems.render(style: .plain)
                } catch {
                    bad.append("case \(index): not a located problem: \(error)")
                }
                // No hang: processor time, since the other test process shares the cores.
                let spent = ThreadCPUTime.now() - started
                if spent > .seconds(2) { bad.append("case \(index): took \(spent) of processor time") }
            }
            return bad
        }
        Ledger.record(.fuzz, "manifests", "case", count: FuzzInput.cases)
        Ledger.record(.fuzz, "manifests", "bad", count: bad.count)
        #expect(bad.isEmpty, "\(bad.count) of \(FuzzInput.cases) cases: \(bad.prefix(5).joined(separator: "\n"))")
    }
}
