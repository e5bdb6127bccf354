import Foundation
import KindCICore
import Testing
import TestSupport
@testable import Runner

/// Manifests as `run` reads them before touching kind: documents, Lists, folders and globs, the
/// default namespace, built image references rewritten or refused, every problem located.
@Suite struct ManifestReaderTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func read(_ paths: [String], built: [String] = [], namespace: String = "default") throws -> ManifestReader.Result {
        let images = try built.map { try ImageReference.parse($0).get() }
        return try ManifestReader(directory: folder.url, images: BuiltImageReferences(builds: images.map(BuildEntry.init(image:))), namespace: namespace).read(paths)
    }

    func problems(_ paths: [String], built: [String] = []) throws -> String {
        do {
            _ = try read(paths, built: built)
        } catch let error as ManifestProblems {
            #expect(error.exitStatus == .badConfiguration)
            return error.render(style: .plain)
        }
        Issue.record("expected manifest problems")
        return ""
    }

    @Test func documentsListsFoldersAndGlobsInOrder() throws {
        try folder.write("k8s/a.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: one}
            ---
            # an empty document is skipped
            ---
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: two}}
            - {apiVersion: v1, kind: Namespace, metadata: {name: three}}

            """)
        try folder.write("k8s/b.json", #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "four", "namespace": "other"}}"#)
        try folder.write("k8s/notes.txt", "not a manifest")
        try folder.write("k8s/nested/c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nested}\n")
        try folder.write("extra/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: globbed}\n")
        let result = try read(["k8s/", "extra/*.yaml", "k8s/a.yaml"])
        #expect(result.manifests.map(\.object.name) == ["one", "two", "three", "four", "globbed"])
        #expect(result.manifests.map(\.source) == ["k8s/a.yaml, document 1", "k8s/a.yaml, document 3, items[0]",
                                                   "k8s/a.yaml, document 3, items[1]", "k8s/b.json, document 1", "extra/x.yaml, document 1"])
        // Namespaced objects without a namespace go to the step's; Namespaces get none.
        #expect(result.manifests.map(\.object.namespace) == ["default", "default", nil, "other", "default"])
    }

    @Test func theStepsNamespaceIsTheDefault() throws {
        try folder.write("app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n")
        #expect(try read(["app.yaml"], namespace: "team").manifests.first?.object.namespace == "team")
    }

    @Test func scalarsAreTypedAsKubectlReadsThem() throws {
        try folder.write("cm.yaml", """
            apiVersion: v1
            kind: Deployment
            metadata: {name: typed}
            spec:
              replicas: 3
              paused: false
              quoted: "3"
              version: 1.10
              text: "yes"
              empty: ~

            """)
        let spec = try #require(try read(["cm.yaml"]).manifests.first?.object["spec"])
        #expect(spec["replicas"] == .int(3))
        #expect(spec["paused"] == .bool(false))
        #expect(spec["quoted"] == .string("3"))
        #expect(spec["version"] == .double(1.1))
        #expect(spec["text"] == .string("yes"))
        #expect(spec["empty"] == .null)
    }

    @Test func everyBrokenDocumentIsReportedWithItsFileAndLine() throws {
        try folder.write("bad.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: fine}
            ---
            - just
            - a list
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {labels: {a: b}}
            ---
            kind: Secret
            metadata: {name: s}

            """)
        try folder.write("syntax.yaml", "apiVersion: v1\nkind: [unclosed\n")
        let report = try problems(["bad.yaml", "syntax.yaml"])
        #expect(report.contains("bad.yaml:5:1: error: document 2: expected a Kubernetes object"))
        #expect(report.contains("bad.yaml:10:11: error: document 3: ConfigMap has no metadata.name"))
        #expect(report.contains("bad.yaml:12:1: error: document 4: 'apiVersion' is missing or not a string"))
        #expect(report.contains("syntax.yaml:3:1: error: not valid YAML"))
        #expect(report.contains("bad.yaml: 3 problems"))
    }

    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              initContainers:
              - {name: migrate, image: "registry.example.com/team/api:dev"}
              containers:
              - name: api
                image: registry.example.com/team/api:dev
              - name: sidecar
                image: busybox:1.36

        """

    @Test func aBuiltRepositoryWithAnotherTagIsRewrittenToTheBuiltReference() throws {
        try folder.write("app.yaml", Self.deployment)
        let result = try read(["app.yaml"], built: ["registry.example.com/team/api:ci"])
        let spec = try #require(result.manifests.first?.object[path: "spec", "template", "spec"])
        #expect(spec["containers"]?.array?.map { $0["image"] } == [.string("registry.example.com/team/api:ci"), .string("busybox:1.36")])
        #expect(spec["initContainers"]?.array?.first?["image"] == .string("registry.example.com/team/api:ci"))
        // Each rewrite named once, with the line and column of the image it replaced.
        #expect(result.rewrites.contains("deployment/api container api (app.yaml:13:16): registry.example.com/team/api:dev → registry.example.com/team/api:ci"))
        #expect(result.rewrites.contains("deployment/api container migrate (app.yaml:10:32): registry.example.com/team/api:dev → registry.example.com/team/api:ci"))
        #expect(result.rewrites.count == 2)
    }

    /// Whatever the manifest wrote for a built repository (latest, no tag, a digest, Always), the
    /// container runs the built reference and never pulls it; other images are left alone.
    @Test func aBuiltRepositoryAsLatestUntaggedDigestOrAlwaysPulledRunsTheBuild() throws {
        try folder.write("pods.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: latest}
            spec: {containers: [{name: c, image: "hello:latest"}]}
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: untagged}
            spec:
              schedule: "* * * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                      - name: c
                        image: docker.io/library/hello
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: always}
            spec:
              containers:
              - name: c
                image: hello:ci
                imagePullPolicy: Always
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: unrelated}
            spec: {containers: [{name: c, image: "other:latest", imagePullPolicy: Always}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: digest}
            spec: {containers: [{name: c, image: "index.docker.io/hello@sha256:\(String(repeating: "a", count: 64))"}]}

            """)
        let result = try read(["pods.yaml"], built: ["hello:ci"])
        func container(_ index: Int) -> JSON? {
            let object = result.manifests[index].object
            let spec = object.kind == "CronJob" ? object[path: "spec", "jobTemplate", "spec", "template", "spec"] : object["spec"]
            return spec?["containers"]?.array?.first
        }
        for index in [0, 1, 2, 4] {
            #expect(container(index)?["image"] == .string("hello:ci"), "\(result.manifests[index].object.name)")
            #expect(container(index)?["imagePullPolicy"] == .string("IfNotPresent"), "\(result.manifests[index].object.name)")
        }
        #expect(container(3)?["image"] == .string("other:latest"))
        #expect(container(3)?["imagePullPolicy"] == .string("Always"))
        #expect(result.rewrites.count == 3, "\(result.rewrites)")
        #expect(result.rewrites.contains { $0.hasPrefix("pod/latest container c (pods.yaml:") && $0.hasSuffix("): hello:latest → hello:ci") }, "\(result.rewrites)")
    }

    /// `replaces:` names the repositories the manifests use for a build (a registry path with a
    /// release tag, as real repositories publish them): those containers run the build too, and
    /// the build's images are not pre-pulled.
    @Test func aReplacedRepositoryRunsTheBuild() throws {
        try folder.write("app.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: store-front}
            spec:
              selector: {matchLabels: {app: store-front}}
              template:
                metadata: {labels: {app: store-front}}
                spec:
                  containers:
                  - name: web
                    image: ghcr.io/example-org/shop/store-front:2.2.0
                  - name: cache
                    image: redis:7

            """)
        var build = BuildEntry(image: try ImageReference.parse("store-front:ci").get())
        build.replaces = [try ImageReference.parse("ghcr.io/example-org/shop/store-front").get()]
        let images = BuiltImageReferences(builds: [build])
        let result = try ManifestReader(directory: folder.url, images: images, namespace: "default").read(["app.yaml"])
        let containers = try #require(result.manifests.first?.object[path: "spec", "template", "spec"]?["containers"]?.array)
        #expect(containers.map { $0["image"] } == [.string("store-front:ci"), .string("redis:7")])
        #expect(result.manifests[0].containers.compactMap(\.pulled).map(\.description) == ["redis:7"])
        let lookalike = try ImageReference.parse("ghcr.io/someone-else/store-front:2.2.0").get()
        #expect(images.built(for: lookalike) == nil)
        #expect(images.built(for: try ImageReference.parse("store-front").get())?.description == "store-front:ci")
    }

    /// A byte-order mark and merge keys, which kubectl's reader accepts, are read as kubectl reads them.
    @Test func aByteOrderMarkAndMergeKeysAreReadAsKubectlReadsThem() throws {
        try folder.write("app.yaml", """
            \u{FEFF}apiVersion: v1
            kind: ConfigMap
            metadata: &meta {name: one, labels: {app: shop}}
            data: {a: "1"}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              <<: *meta
              name: two

            """)
        let result = try read(["app.yaml"])
        #expect(result.manifests.map(\.object.name) == ["one", "two"])
        #expect(result.manifests[1].object[path: "metadata", "labels", "app"] == .string("shop"))
    }

    /// `DIR/**` is every manifest below `DIR`, as a nested tree of a real repository holds them:
    /// Compose files, Helm values, charts and kustomizations beside them are not objects to apply.
    @Test func aRecursivePathReadsEveryManifestBelowItsFolder() throws {
        try folder.write("k8s/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
        try folder.write("k8s/apps/web/web.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")
        try folder.write("k8s/apps/db/db.json", #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "db"}}"#)
        try folder.write("k8s/apps/docker-compose.yml", "services: {web: {build: .}}\n")
        try folder.write("k8s/values.yaml", "replicaCount: 2\n")
        try folder.write("k8s/chart/Chart.yaml", "name: shop\n")
        try folder.write("k8s/chart/templates/x.yaml", "{{ .Values.x }}\n")
        try folder.write("k8s/overlay/kustomization.yaml", "resources: []\n")
        try folder.write("k8s/.hidden/x.yaml", "not: an object\n")
        let result = try read(["k8s/**"])
        #expect(result.manifests.map(\.object.name) == ["db", "web", "shop"])
    }

    @Test func anAliasBombIsRefusedNotExpanded() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...7 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        try folder.write("bomb.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n" + text)
        #expect(try problems(["bomb.yaml"]).contains("expands to more than 200000 values"))
    }
}
