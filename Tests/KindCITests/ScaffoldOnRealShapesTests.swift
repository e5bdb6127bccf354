import Foundation
import KindCICore
import Testing
import TestSupport
import Yams

/// `init` on repositories in the shapes real ones have (a `src/<service>/` monorepo, Skaffold,
/// Compose, a folder named unlike its image, manifests nested beside Compose and Helm values),
/// then `render`: every deployed container of a built service runs the built image.
@Suite struct ScaffoldOnRealShapesTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    static func deployment(_ name: String, image: String) -> String {
        ManifestFixtures.deployment(name, containers: ["{name: \(name), image: \"\(image)\"}"])
    }

    /// `init`, then `render`: the image of each rendered container by deployment name, and the
    /// scaffold's text.
    func scaffoldAndRender() throws -> (images: [String: String], kindCI: String, stderr: String) {
        let initialised = try KindCIBinary.run(["init", "gitlab", "--dir", folder.url.path])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let text = try String(contentsOf: folder.url.appendingPathComponent("kind-ci.yml"), encoding: .utf8)
        let rendered = try KindCIBinary.run(["render"], in: folder.url, environment: ["KIND_CI_CONFIG": nil])
        #expect(rendered.status == 0, "\(rendered.stderr)\n\(text)")
        var images: [String: String] = [:]
        for document in try Yams.load_all(yaml: rendered.stdout) {
            guard let object = document as? [String: Any], object["kind"] as? String == "Deployment" else { continue }
            let name = (object["metadata"] as? [String: Any])?["name"] as? String ?? ""
            let spec = ((object["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
            let container = (spec?["containers"] as? [[String: Any]])?.first
            images[name] = "\(container?["image"] ?? "") \(container?["imagePullPolicy"] ?? "")"
        }
        return (images, text, rendered.stderr)
    }

    @Test func aServicesMonorepoWhoseManifestsNameRegistryPaths() throws {
        for service in ["cart", "checkout", "frontend"] {
            try folder.write("src/\(service)/Dockerfile", "FROM busybox:1.36\n")
            try folder.write("kubernetes-manifests/\(service).yaml", Self.deployment(service, image: "registry.example.com/shop/\(service):v0.10.3"))
        }
        // Deeper, as some repositories have it: the service is the folder above `src/`.
        try folder.write("src/ads/src/Dockerfile", "FROM busybox:1.36\n")
        try folder.write("kubernetes-manifests/ads.yaml", Self.deployment("ads", image: "registry.example.com/shop/ads:v0.10.3"))
        let (images, text, stderr) = try scaffoldAndRender()
        for service in ["cart", "checkout", "frontend", "ads"] {
            #expect(images[service] == "registry.example.com/shop/\(service):ci IfNotPresent", "\(service)\n\(text)")
        }
        #expect(text.contains("  - manifests: kubernetes-manifests/\n"), "\(text)")
        #expect(!stderr.contains("warning"), "\(stderr)")
    }

    /// Skaffold names the images and the manifests use them bare; its dockerfile is relative to the
    /// context, as kind-ci.yml's is.
    @Test func aSkaffoldRepositoryWithBareManifestImages() throws {
        try folder.write("skaffold.yaml", """
            apiVersion: skaffold/v4beta6
            kind: Config
            build:
              artifacts:
              - image: frontend
                context: src/frontend
                docker: {dockerfile: build/Dockerfile.prod, target: runtime, buildArgs: {MODE: ci}}
              - image: userservice
                context: src/accounts/userservice
            manifests:
              rawYaml: [kubernetes-manifests/*.yaml]

            """)
        try folder.write("src/frontend/build/Dockerfile.prod", "FROM busybox:1.36 AS runtime\n")
        try folder.write("src/accounts/userservice/Dockerfile", "FROM busybox:1.36\n")
        try folder.write("kubernetes-manifests/frontend.yaml", Self.deployment("frontend", image: "frontend"))
        try folder.write("kubernetes-manifests/userservice.yaml", Self.deployment("userservice", image: "userservice"))
        let (images, text, _) = try scaffoldAndRender()
        #expect(images["frontend"] == "frontend:ci IfNotPresent", "\(text)")
        #expect(images["userservice"] == "userservice:ci IfNotPresent", "\(text)")
        #expect(text.contains("    dockerfile: build/Dockerfile.prod\n    target: runtime\n    args:\n      MODE: ci\n"), "\(text)")
        // The skaffold.yaml itself is a tool's configuration, never applied.
        #expect(!text.contains("skaffold.yaml"))
    }

    /// Compose maps each service's build to its image; the manifests name the image under a
    /// registry path, which becomes the build's `replaces:`.
    @Test func aComposeFileMapsBuildsToImages() throws {
        try folder.write("docker-compose.yml", """
            services:
              api:
                build: {context: ./api, dockerfile: Dockerfile.dev}
                image: example-org/petshop-api:latest
              web:
                build: ./web
                image: example-org/petshop-web
              db:
                image: postgres:16

            """)
        try folder.write("api/Dockerfile.dev", "FROM busybox:1.36\n")
        try folder.write("web/Dockerfile", "FROM busybox:1.36\n")
        try folder.write("k8s/api.yaml", Self.deployment("api", image: "registry.example.com/example-org/petshop-api:3.1"))
        try folder.write("k8s/web.yaml", Self.deployment("web", image: "example-org/petshop-web:3.1"))
        let (images, text, stderr) = try scaffoldAndRender()
        #expect(images["api"] == "example-org/petshop-api:ci IfNotPresent", "\(text)")
        #expect(images["web"] == "example-org/petshop-web:ci IfNotPresent", "\(text)")
        #expect(text.contains("replaces: registry.example.com/example-org/petshop-api"), "\(text)")
        #expect(!stderr.contains("warning"), "\(stderr)")
    }

    /// A folder named unlike its image (`vote/` builds `<org>/examplevotingapp_vote`), manifests in
    /// a nested tree beside a Compose file and Helm values, and a root `e2e.sh` that makes its own
    /// cluster: the build is named after the manifest image, only the objects are deployed, and
    /// the test is the script that tests a running deployment.
    @Test func aFolderNamedUnlikeItsImageAndANestedManifestsTree() throws {
        try folder.write("vote/Dockerfile", "FROM busybox:1.36\n")
        try folder.write("result/Dockerfile", "FROM busybox:1.36\n")
        try folder.write("k8s-specifications/apps/vote-deployment.yaml", Self.deployment("vote", image: "example-org/examplevotingapp_vote"))
        try folder.write("k8s-specifications/apps/result-deployment.yaml", Self.deployment("result", image: "example-org/examplevotingapp_result:before"))
        try folder.write("k8s-specifications/apps/docker-compose.yml", "services: {vote: {build: ../../vote}}\n")
        try folder.write("k8s-specifications/values.yaml", "replicaCount: 2\n")
        try folder.write("k8s-specifications/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: vote}\n")
        try folder.write("e2e.sh", "#!/bin/sh\nkind create cluster\n./run-tests\n")
        try folder.write("tests/smoke-test.sh", "#!/bin/sh\ncurl -fsS http://vote/\n")
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("k8s-specifications/loop").path, withDestinationPath: "..")
        let (images, text, _) = try scaffoldAndRender()
        #expect(images["vote"] == "example-org/examplevotingapp_vote:ci IfNotPresent", "\(text)")
        #expect(images["result"] == "example-org/examplevotingapp_result:ci IfNotPresent", "\(text)")
        #expect(text.contains("  - manifests: k8s-specifications/apps/vote-deployment.yaml\n"), "\(text)")
        #expect(text.contains("  - manifests: k8s-specifications/namespace.yaml\n"), "\(text)")
        #expect(!text.contains("values.yaml") && !text.contains("docker-compose") && !text.contains("loop"), "\(text)")
        #expect(text.contains("  run: ./tests/smoke-test.sh\n"), "\(text)")
        // Each build once, though a link leads back to the root.
        #expect(text.components(separatedBy: "- image: ").count == 3, "\(text)")
    }
}
