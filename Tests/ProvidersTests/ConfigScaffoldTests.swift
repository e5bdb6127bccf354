import Foundation
import KindCICore
import Testing
import TestSupport
import Yams
@testable import Providers

/// Scaffolds on fixture repositories: what is found becomes entries, and the result is always a
/// valid kind-ci.yml.
@Suite struct ConfigScaffoldTests {
    /// Writes the scaffold into `folder` and loads it the way `run` will.
    static func scaffold(_ folder: TemporaryFolder, kindImage: ImageReference = KindSettings.defaultImage)
        throws -> (text: String, configuration: Configuration) {
        let file = try ConfigScaffold.render(repository: folder.url, kindImage: kindImage)
        #expect(file.path == "kind-ci.yml")
        let url = try folder.write(file.path, file.contents)
        return (file.contents, try ConfigLoader.load(path: url.path))
    }

    @Test func anEmptyRepositoryGetsACommentedSkeleton() throws {
        let folder = try TemporaryFolder()
        let (text, configuration) = try Self.scaffold(folder)
        #expect(configuration.build.isEmpty && configuration.deploy.isEmpty && configuration.test == nil)
        #expect(configuration.kind.host == nil)
        for skeleton in ["# build:", "# deploy:", "#   - manifests: k8s/", "# test:"] {
            #expect(text.contains(skeleton))
        }
    }

    @Test func findsImagesManifestsChartsKustomizationsAndTests() throws {
        let folder = try TemporaryFolder()
        try folder.write("Dockerfile", "FROM scratch\n")
        try folder.write("Dockerfile.worker", "FROM scratch\n")
        try folder.write("services/api/Dockerfile", "FROM scratch\n")
        try folder.write("services/web/web.Dockerfile", "FROM scratch\n")
        try folder.write("node_modules/pkg/Dockerfile", "FROM scratch\n")
        try folder.write(".git/Dockerfile", "FROM scratch\n")
        try folder.write("k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n")
        try folder.write("manifests/README.md", "no manifests here\n")
        try folder.write("charts/shop/Chart.yaml", "name: shop\n")
        try folder.write("charts/shop/Dockerfile", "FROM scratch\n")
        try folder.write("deploy/overlays/ci/kustomization.yaml", "resources: []\n")
        try folder.write("scripts/integration-test.sh", "#!/bin/sh\n")
        let (text, configuration) = try Self.scaffold(folder, kindImage: try ImageReference.parse("bsycorp/kind:latest-1.21").get())
        let repository = ImageName.sanitized(folder.url.lastPathComponent)

        #expect(configuration.kind.image.description == "bsycorp/kind:latest-1.21")
        // A Dockerfile beside a chart's Chart.yaml is the application's; the chart's templates are Helm's.
        #expect(configuration.build.map(\.image.description)
            == ["\(repository):ci", "\(repository)-worker:ci", "shop:ci", "api:ci", "web:ci"])
        #expect(configuration.build.map(\.context) == [".", ".", "charts/shop", "services/api", "services/web"])
        #expect(configuration.build.map(\.dockerfilePath)
            == ["Dockerfile", "Dockerfile.worker", "charts/shop/Dockerfile", "services/api/Dockerfile", "services/web/web.Dockerfile"])
        #expect(configuration.build.allSatisfy { $0.image.tag != "latest" })
        // One deployment source, or the application would be deployed twice: the CI overlay comes
        // before the chart and the plain manifests, which are named as left out.
        #expect(configuration.deploy.isEmpty)
        #expect(text.contains("#   - run: kubectl apply --server-side --field-manager=kind-ci -k ./deploy/overlays/ci\n"))
        #expect(text.contains("#   # Also found, and left out so that the application is deployed once:\n#   #   manifests in k8s/\n#   #   Helm chart in charts/shop\n"), "\(text)")
        #expect(!text.contains("helm upgrade"))
        #expect(configuration.test?.run == "./scripts/integration-test.sh")
    }

    /// What skaffold.yaml deploys is the source; the plain manifests elsewhere are left out.
    @Test func skaffoldsDeclaredManifestsAreTheDeploymentSource() throws {
        let folder = try TemporaryFolder()
        try folder.write("skaffold.yaml", """
            apiVersion: skaffold/v4beta6
            kind: Config
            manifests:
              rawYaml: [./kubernetes-manifests/*.yaml]
            ---
            apiVersion: skaffold/v2beta29
            kind: Config
            deploy:
              helm:
                releases: [{name: shop, chartPath: charts/shop}]

            """)
        try folder.write("kubernetes-manifests/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        try folder.write("release/all-in-one.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        try folder.write("charts/shop/Chart.yaml", "name: shop\n")
        let (text, configuration) = try Self.scaffold(folder)
        #expect(configuration.deploy == [.manifests(["kubernetes-manifests/*.yaml"])])
        #expect(text.contains("  # - run: helm upgrade --install shop ./charts/shop --wait\n"), "\(text)")
        #expect(text.contains("  # Also found, and left out so that the application is deployed once:\n  #   manifests in release/\n"), "\(text)")
    }

    @Test func onlyChartsGiveACommentedDeployBlockThatStillLoads() throws {
        let folder = try TemporaryFolder()
        try folder.write("helm/my chart/Chart.yaml", "name: x\n")
        let (text, configuration) = try Self.scaffold(folder)
        #expect(configuration.deploy.isEmpty)
        // Uncommented, the line is YAML whose value is the shell command, quoting and all.
        #expect(text.contains(#"#   - run: "helm upgrade --install my-chart './helm/my chart' --wait""#))
    }

    @Test func namesAreUniqueAndValidWhateverTheFolders() throws {
        let folder = try TemporaryFolder()
        try folder.write("a/API/Dockerfile", "FROM scratch\n")
        try folder.write("b/api/Dockerfile", "FROM scratch\n")
        try folder.write("My App!/Dockerfile", "FROM scratch\n")
        try folder.write("ünï/Dockerfile", "FROM scratch\n")
        let (_, configuration) = try Self.scaffold(folder)
        #expect(configuration.build.map(\.image.description) == ["my-app:ci", "api:ci", "api-2:ci", "n:ci"])
    }

    @Test(arguments: ["My App!", "--x--", "ünï", "", "a__b"])
    func imageNamesAreDockerRepositoryNames(text: String) throws {
        let name = ImageName.sanitized(text)
        #expect(try ImageReference.parse("\(name):ci").get().path == name)
    }
}
