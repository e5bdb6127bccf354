import Foundation
import KindCICore
import Testing
import TestSupport
import Yams
@testable import Runner

/// How the images under test reach the pods, on repositories shaped as real ones are: services
/// built from `src/<service>/`, manifests naming registry paths with release tags, bare names,
/// `latest`, digests and Docker Hub's long spellings. `render` shows it; `config check` tables it;
/// the warnings say where the code under test would not be what runs.
@Suite struct ImageWiringTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
        for service in ["vote", "result", "worker", "store-front", "loadgen"] {
            try folder.write("src/\(service)/Dockerfile", "FROM busybox:1.36\n")
        }
    }

    func preview(_ configuration: String) throws -> DeployPreview {
        let file = try folder.write("kind-ci.yml", configuration)
        return try DeployPreview(configuration: ConfigLoader.load(path: file.path))
    }

    /// The containers of every rendered object with a pod spec, by `object/container`.
    func renderedContainers(_ preview: DeployPreview) throws -> [String: (image: String?, pull: String?)] {
        var found: [String: (image: String?, pull: String?)] = [:]
        for document in try Yams.load_all(yaml: try preview.yaml()) {
            let object = try #require(document as? [String: Any])
            let kind = try #require(object["kind"] as? String)
            guard let path = BuiltImageReferences.podSpecPaths[kind] else { continue }
            let spec = path.reduce(Optional(object as Any)) { ($0 as? [String: Any])?[$1] } as? [String: Any]
            for list in ["initContainers", "containers"] {
                for container in spec?[list] as? [[String: Any]] ?? [] {
                    let name = "\(((object["metadata"] as? [String: Any])?["name"] as? String) ?? "")/\(container["name"] as? String ?? "")"
                    found[name] = (container["image"] as? String, container["imagePullPolicy"] as? String)
                }
            }
        }
        return found
    }

    /// Every spelling a manifest uses for a built repository runs the build, never pulled.
    @Test func everySpellingOfABuiltRepositoryRunsTheBuild() throws {
        try folder.write("k8s/app.yaml", [
            ManifestFixtures.deployment("vote", containers: [#"{name: vote, image: "registry.example.com/example-org/vote:1.2.3"}"#],
                            initContainers: [#"{name: migrate, image: "registry.example.com/example-org/vote@sha256:\#(String(repeating: "b", count: 64))"}"#]),
            ManifestFixtures.deployment("result", containers: [#"{name: result, image: "docker.io/example-org/examplevotingapp_result", imagePullPolicy: Always}"#]),
            ManifestFixtures.deployment("worker", containers: [#"{name: worker, image: "worker:latest"}"#, #"{name: plain, image: worker}"#,
                                       #"{name: cache, image: "docker.io/library/redis:7"}"#]),
            ManifestFixtures.deployment("store-front", containers: [#"{name: web, image: "ghcr.io/example-org/shop/store-front:2.2.0"}"#]),
        ].joined(separator: "---\n"))
        let preview = try preview("""
            build:
              - image: vote:ci
                context: src/vote
                replaces: registry.example.com/example-org/vote
              - image: example-org/examplevotingapp_result:ci
                context: src/result
              - image: registry.example.com/example-org/worker:ci
                context: src/worker
                replaces: [worker]
              - image: store-front:ci
                context: src/store-front
                replaces: [ghcr.io/example-org/shop/store-front]
            deploy:
              - manifests: k8s/

            """)
        let containers = try renderedContainers(preview)
        let expected = [
            "vote/vote": "vote:ci", "vote/migrate": "vote:ci", "result/result": "example-org/examplevotingapp_result:ci",
            "worker/worker": "registry.example.com/example-org/worker:ci", "worker/plain": "registry.example.com/example-org/worker:ci",
            "store-front/web": "store-front:ci",
        ]
        for (container, image) in expected {
            #expect(containers[container]?.image == image, "\(container)")
            #expect(containers[container]?.pull == "IfNotPresent", "\(container)")
        }
        #expect(containers["worker/cache"]?.image == "docker.io/library/redis:7" && containers["worker/cache"]?.pull == nil)
        #expect(preview.warnings.isEmpty, "\(Problem.warnings(preview.warnings, style: .plain))")
        // What is pre-pulled (and baked) is what runs after the rewrite: no build's published release.
        #expect(preview.steps.pulledImages.map(\.description) == ["docker.io/library/redis:7"])
        #expect(preview.wiring.contains("    deployment/vote in default, initContainer migrate (k8s/app.yaml:10:32)"), "\(preview.wiring)")
        #expect(preview.wiring.contains { $0.hasPrefix("    deployment/store-front in default, container web (k8s/app.yaml:") }, "\(preview.wiring)")
    }

    /// An image named like a build (the same last segment, another repository) would be pulled:
    /// the warning says so and gives the exact `replaces:` line, the existing ones included.
    @Test func aLookalikeImageIsAWarningWithTheExactReplacesLine() throws {
        try folder.write("k8s/vote.yaml", ManifestFixtures.deployment("vote", containers: [#"{name: vote, image: "registry.example.com/example-org/vote:1.2.3"}"#]))
        try folder.write("k8s/result.yaml", ManifestFixtures.deployment("result", containers: [#"{name: result, image: "ghcr.io/example-org/result:2"}"#])
            + "---\n" + ManifestFixtures.deployment("result-canary", containers: [#"{name: result, image: "ghcr.io/example-org/result:3"}"#]))
        let preview = try preview("""
            build:
              - image: vote:ci
                context: src/vote
              - image: result:ci
                context: src/result
                replaces: legacy/result
            deploy:
              - manifests: k8s/

            """)
        let text = Problem.warnings(preview.warnings, style: .plain)
        #expect(preview.warnings.count == 2, "\(text)")
        #expect(text.contains("k8s/vote.yaml:10:29: warning: deployment/vote container vote runs registry.example.com/example-org/vote:1.2.3, which looks like build[0] vote:ci but is another repository"), "\(text)")
        #expect(text.contains("fix: if it is the image build[0] makes, add 'replaces: registry.example.com/example-org/vote' to build[0]"))
        #expect(text.contains("add 'replaces: [legacy/result, ghcr.io/example-org/result]' to build[1]"), "\(text)")
        // One warning per repository, naming the other places that use it.
        #expect(text.contains("also deployment/result-canary container result (k8s/result.yaml:"), "\(text)")
        // The published images would be pre-pulled: that is what the warning is about.
        #expect(preview.steps.pulledImages.map(\.description).contains("registry.example.com/example-org/vote:1.2.3"))
    }

    /// A build no applied object runs is a warning located at its `image:`; `deployed: false`
    /// says the tests use it alone; a `run:` step may deploy it, which kind-ci says instead.
    @Test func anUnusedBuildIsAWarningUnlessMarkedOrPossiblyDeployedByACommand() throws {
        try folder.write("k8s/vote.yaml", ManifestFixtures.deployment("vote", containers: [#"{name: vote, image: "vote:1.0"}"#]))
        let unused = try preview("""
            build:
              - image: vote:ci
                context: src/vote
              - image: loadgen:ci
                context: src/loadgen
              - image: worker:ci
                context: src/worker
                deployed: false
            deploy:
              - manifests: k8s/

            """)
        let text = Problem.warnings(unused.warnings, style: .plain)
        #expect(unused.warnings.count == 1, "\(text)")
        #expect(text.hasPrefix("\(folder.url.path)/kind-ci.yml:4:12: warning: build[1] loadgen:ci is run by no object the deploy steps apply"), "\(text)")
        #expect(text.contains("mark it 'deployed: false' if only the tests use it"))
        #expect(unused.wiring.contains("  build[1] loadgen:ci → run by nothing kind-ci applies"))
        #expect(unused.wiring.contains("  build[2] worker:ci → not deployed (deployed: false): for the tests"))

        let withCommand = try preview("""
            build:
              - image: loadgen:ci
                context: src/loadgen
            deploy:
              - manifests: k8s/
              - run: helm upgrade --install loadgen ./chart --set image=$KIND_CI_IMAGE_LOADGEN

            """)
        #expect(withCommand.warnings.isEmpty)
        #expect(withCommand.notes == ["build[0] loadgen:ci: no manifest kind-ci reads runs it; kind-ci cannot see into deploy[1]: helm upgrade --install loadgen ./chart --set image=$KIND_CI_IMAGE_LOADGEN, which may"])
        #expect(withCommand.commandSteps == ["deploy[1]: helm upgrade --install loadgen ./chart --set image=$KIND_CI_IMAGE_LOADGEN"])
    }

    /// `strict_images: true` makes every warning an error (78), reported together and located.
    @Test func strictImagesMakesTheWarningsErrors() throws {
        try folder.write("k8s/vote.yaml", ManifestFixtures.deployment("vote", containers: [#"{name: vote, image: "example-org/vote:1.2.3"}"#]))
        let configuration = """
            build:
              - image: vote:ci
                context: src/vote
              - image: loadgen:ci
                context: src/loadgen
            deploy:
              - manifests: k8s/
            strict_images: true

            """
        let problem = try #require(throws: Problem.self) { try preview(configuration) }
        #expect(problem.exitStatus == .badConfiguration)
        let text = problem.render(style: .plain)
        #expect(problem.findings.count == 2, "\(text)")
        #expect(text.contains("k8s/vote.yaml:10:29: error: deployment/vote container vote runs example-org/vote:1.2.3, which looks like build[0]"), "\(text)")
        #expect(text.contains("kind-ci.yml:4:12: error: build[1] loadgen:ci is run by no object"), "\(text)")
        // Fixed as the warnings say, it passes.
        let fixed = configuration.replacingOccurrences(of: "context: src/vote", with: "context: src/vote\n    replaces: example-org/vote")
            .replacingOccurrences(of: "context: src/loadgen", with: "context: src/loadgen\n    deployed: false")
        #expect(try preview(fixed).warnings.isEmpty)
    }

    /// `render` is what `run` applies: per step Namespaces (the step's own included), then
    /// CustomResourceDefinitions, then the rest in file order; `run:` steps as comments; Secret
    /// values masked; and it parses back to the very objects, whatever strings they hold.
    @Test func renderIsWhatRunAppliesInRunsOrder() throws {
        let tricky = ["true", "010", "null", "~", "1e3", "- x", "a: b", "# no comment", "line\nbreak", "\u{2028}", "'\"", "", "0x1F", "yes"]
        try folder.write("k8s/app.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data:
            \(tricky.enumerated().map { "  k\($0.offset): \(try! Self.quoted($0.element))\n" }.joined())\
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: []}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: db}
            data: {password: aHVudGVyMg==}
            stringData: {token: "s3cr3t-value"}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: extra}

            """)
        let preview = try preview("""
            deploy:
              - manifests: k8s/app.yaml
                namespace: shop
              - run: |
                  ./scripts/seed.sh
                  echo "# done"

            """)
        let text = try preview.yaml()
        #expect(!text.contains("aHVudGVyMg==") && !text.contains("s3cr3t-value"))
        #expect(text.contains("# deploy[1]: run: ./scripts/seed.sh\\necho \"# done\"\\n (not rendered: a command kind-ci runs)"), "\(text)")
        let documents = try Yams.load_all(yaml: text).map { try #require($0 as? [String: Any]) }
        let names = documents.map { "\($0["kind"] ?? "")/\((($0["metadata"] as? [String: Any])?["name"]) ?? "")" }
        #expect(names == ["Namespace/extra", "Namespace/shop", "CustomResourceDefinition/widgets.example.com", "ConfigMap/settings", "Secret/db"])
        let data = try #require(documents[3]["data"] as? [String: String])
        for (index, value) in tricky.enumerated() { #expect(data["k\(index)"] == value, "k\(index)") }
        #expect((documents[3]["metadata"] as? [String: Any])?["namespace"] as? String == "shop")
        #expect(documents[4]["data"] as? [String: String] == ["password": ManifestYAML.masked])
        #expect(documents[4]["stringData"] as? [String: String] == ["token": ManifestYAML.masked])
    }

    /// Comments quote file names and commands: nothing in them may start a line of YAML.
    @Test(arguments: ["a\nkind: Secret", "a\r\nb", "a\u{85}b", "a\u{2028}b", "a\u{2029}b", "tab\there", "bell\u{07}"])
    func aCommentStaysOneLine(_ text: String) throws {
        let comment = ManifestYAML.comment(text)
        #expect(comment.hasPrefix("# "))
        #expect(comment.unicodeScalars.allSatisfy { $0.value >= 0x20 && ![0x85, 0x2028, 0x2029].contains($0.value) }, "\(comment.debugDescription)")
        #expect(try Yams.load(yaml: comment + "\nkey: value\n") as? [String: String] == ["key": "value"])
    }

    static func quoted(_ text: String) throws -> String {
        String(data: try JSONEncoder().encode(text), encoding: .utf8) ?? ""
    }
}
