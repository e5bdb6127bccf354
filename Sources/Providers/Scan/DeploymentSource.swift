import Foundation
import KindCICore
import Yams

/// The one way a scaffold deploys the application: two would deploy it twice (a Helm chart and the
/// plain manifests rendered from it, a kustomize overlay and its base). In this order: what
/// `skaffold.yaml` declares; else a kustomize overlay for CI or development; else the Helm charts;
/// else the plain manifests (or, when there are none, a kustomization that is not a base). The
/// sources not chosen are named in a comment.
struct DeploymentSource {
    var manifests: [String] = []
    var charts: [String] = []
    var kustomizations: [String] = []
    /// A source found: what it is (`manifests`, `Helm chart`, `kustomization`) and where.
    struct Found: Hashable {
        let what: String
        let path: String
    }

    /// The other sources found, not used.
    var others: [Found] = []

    /// Overlay names that mean "for CI or a developer's cluster", preferred in this order.
    static let overlayNames = ["ci", "e2e", "test", "kind", "local", "dev", "development"]
    /// Folder names of kustomizations that are only parts of others.
    static let partNames: Set<String> = ["base", "bases", "components", "component"]

    init(_ scan: RepositoryScan) {
        let plain = scan.manifestEntries
        let everything = Self.named(plain, charts: scan.charts, kustomizations: scan.kustomizations)
        if let declared = Self.skaffold(scan.skaffold), !(declared.manifests + declared.charts + declared.kustomizations).isEmpty {
            self = declared
        } else if let overlay = Self.overlayNames.lazy.compactMap({ name in scan.kustomizations.first { ($0 as NSString).lastPathComponent == name } }).first {
            kustomizations = [overlay]
        } else if !scan.charts.isEmpty {
            charts = scan.charts
        } else if !plain.isEmpty {
            manifests = plain
        } else if let whole = scan.kustomizations.first(where: { !Self.partNames.contains(($0 as NSString).lastPathComponent) }) {
            kustomizations = [whole]
        }
        let chosen = Set(Self.named(manifests, charts: charts, kustomizations: kustomizations))
        // Plain manifests the chosen ones cover (skaffold's `k8s/*.yaml` is the scan's `k8s/`) are the same source.
        let used = manifests
        others = everything.filter { found in
            !chosen.contains(found) && !(found.what == "manifests" && used.contains { $0.hasPrefix(found.path) || found.path.hasPrefix($0) })
        }
    }

    private init() {}

    private static func named(_ manifests: [String], charts: [String], kustomizations: [String]) -> [Found] {
        manifests.map { Found(what: "manifests", path: $0) } + charts.map { Found(what: "Helm chart", path: $0) }
            + kustomizations.map { Found(what: "kustomization", path: $0) }
    }

    /// `manifests.rawYaml`, `manifests.kustomize.paths` and `manifests.helm.releases[].chartPath`
    /// (Skaffold v2 and later), or the older `deploy.kubectl.manifests`, `deploy.kustomize.paths`
    /// and `deploy.helm.releases[].chartPath`.
    private static func skaffold(_ documents: [[String: Any]]) -> DeploymentSource? {
        var source = DeploymentSource()
        var found = false
        for document in documents {
            for section in [document["manifests"], (document["deploy"] as? [String: Any])?["kubectl"], document["deploy"]] {
                guard let fields = section as? [String: Any] else { continue }
                found = true
                source.manifests += strings(fields["rawYaml"]) + strings(fields["manifests"])
                source.kustomizations += strings((fields["kustomize"] as? [String: Any])?["paths"])
                let releases = (fields["helm"] as? [String: Any])?["releases"] as? [[String: Any]] ?? []
                source.charts += releases.compactMap { $0["chartPath"] as? String }.map(DeclaredBuild.folder)
            }
        }
        source.manifests = unique(source.manifests.map(DeclaredBuild.folder))
        source.kustomizations = unique(source.kustomizations.map(DeclaredBuild.folder))
        source.charts = unique(source.charts)
        return found ? source : nil
    }

    private static func strings(_ value: Any?) -> [String] {
        (value as? [Any])?.compactMap { $0 as? String } ?? (value as? String).map { [$0] } ?? []
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }
}
