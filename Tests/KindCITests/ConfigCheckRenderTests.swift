import Foundation
import KindCICore
import Testing
import TestSupport
import Yams

/// `config check` and `render` on a repository shaped as real monorepos are (services in `src/`,
/// manifests in `kubernetes-manifests/` naming registry paths with release tags): both read the
/// manifests as `run` does, without kind, and say where the code under test would not run.
@Suite struct ConfigCheckRenderTests {
    let folder: TemporaryFolder
    static let environment: [String: String?] = ["KIND_CI_CONFIG": nil, "NO_COLOR": nil]

    init() throws {
        folder = try TemporaryFolder()
        for service in ["cart", "checkout", "loadgen"] {
            try folder.write("src/\(service)/Dockerfile", "FROM busybox:1.36\n")
        }
        try folder.write("kubernetes-manifests/cart.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: cart}
            spec:
              selector: {matchLabels: {app: cart}}
              template:
                metadata: {labels: {app: cart}}
                spec:
                  containers:
                  - name: server
                    image: registry.example.com/shop/cart:v0.10.3
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: checkout}
            spec:
              selector: {matchLabels: {app: checkout}}
              template:
                metadata: {labels: {app: checkout}}
                spec:
                  containers:
                  - name: server
                    image: registry.example.com/shop/checkout:v0.10.3

            """)
        try folder.write("kind-ci.yml", """
            build:
              - image: cart:ci
                context: src/cart
                replaces: registry.example.com/shop/cart
              - image: checkout:ci
                context: src/checkout
              - image: loadgen:ci
                context: src/loadgen
                deployed: false
            deploy:
              - manifests: kubernetes-manifests/
              - run: ./scripts/seed.sh
            test: {run: ./test.sh}

            """)
    }

    @Test func checkPrintsTheWiringAndWarnsOfALookalike() throws {
        let result = try KindCIBinary.run(["config", "check"], in: folder.url, environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            kind-ci.yml: OK: kind bsycorp/kind:latest-1.23; 3 images to build; 2 deploy steps; tests: ./test.sh
            images under test:
              build[0] cart:ci →
                deployment/cart in default, container server (kubernetes-manifests/cart.yaml:11:16)
              build[1] checkout:ci → run by nothing kind-ci reads; deploy[1]: ./scripts/seed.sh may deploy it
              build[2] loadgen:ci → not deployed (deployed: false): for the tests
            not checked (your commands): deploy[1]: ./scripts/seed.sh

            """)
        #expect(result.stderr.hasPrefix("""
            kubernetes-manifests/cart.yaml:23:16: warning: deployment/checkout container server runs registry.example.com/shop/checkout:v0.10.3, \
            which looks like build[1] checkout:ci but is another repository
            """), "\(result.stderr)")
        #expect(result.stderr.contains("fix: if it is the image build[1] makes, add 'replaces: registry.example.com/shop/checkout' to build[1] in kind-ci.yml"))
    }

    @Test func renderPrintsTheRewrittenObjectsAndWarnsOnStandardError() throws {
        let result = try KindCIBinary.run(["render"], in: folder.url, environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: deployment/checkout container server runs registry.example.com/shop/checkout:v0.10.3"))
        #expect(!result.stdout.contains("warning"))
        let documents = try Yams.load_all(yaml: result.stdout).compactMap { $0 as? [String: Any] }
        #expect(documents.count == 2)
        #expect(result.stdout.contains("      - image: cart:ci\n        imagePullPolicy: IfNotPresent\n"), "\(result.stdout)")
        #expect(result.stdout.contains("# runs the build: deployment/cart container server (kubernetes-manifests/cart.yaml:11:16): registry.example.com/shop/cart:v0.10.3 → cart:ci"))
        #expect(result.stdout.hasSuffix("# deploy[1]: run: ./scripts/seed.sh (not rendered: a command kind-ci runs)\n"), "\(result.stdout)")
    }

    /// With `strict_images: true` the lookalike stops `config check`, `render` and `run` (78,
    /// before kind is touched: `run` still writes its report).
    @Test(arguments: [["config", "check"], ["render"], ["run"]])
    func strictImagesStopsEveryCommand(_ arguments: [String]) throws {
        let text = try String(contentsOf: folder.url.appendingPathComponent("kind-ci.yml"), encoding: .utf8)
        try folder.write("kind-ci.yml", text + "strict_images: true\n")
        let result = try KindCIBinary.run(arguments, in: folder.url, environment: Self.environment.merging(ReachingKindTests.noCI) { $1 })
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.contains("kubernetes-manifests/cart.yaml:23:16: error: deployment/checkout container server runs"), "\(result.stderr)")
        if arguments == ["run"] {
            let report = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
            #expect(report.contains("classname=\"kind-ci.configuration\" name=\"kubernetes-manifests/cart.yaml:23:16: "), "\(report)")
        }
    }

    /// What `run` refuses, `config check` refuses: a manifest that is a symbolic link out of the
    /// folder, and one that is not a Kubernetes object.
    @Test func checkRefusesTheManifestsRunWouldRefuse() throws {
        let outside = try TemporaryFolder()
        let secret = try outside.write("elsewhere.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("kubernetes-manifests/linked.yaml").path,
                                                   withDestinationPath: secret.path)
        try folder.write("kubernetes-manifests/values.yaml", "replicaCount: 2\n")
        let result = try KindCIBinary.run(["config", "check"], in: folder.url, environment: Self.environment)
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("kubernetes-manifests/linked.yaml: error: not read: "), "\(result.stderr)")
        #expect(result.stderr.contains("kubernetes-manifests/values.yaml:1:1: error: document 1: 'apiVersion' is missing"), "\(result.stderr)")
    }
}
