import Foundation
import Yams

/// `deploy:`: `manifests:` steps (paths that match something, a valid namespace) and `run:` steps.
extension ConfigDecoder {
    func readDeploy(_ node: Node) -> [DeployStep] {
        guard let items = reader.sequence(node, "deploy", example: "'- manifests: k8s/'") else { return [] }
        return items.enumerated().compactMap { index, item in readDeployStep(item, "deploy[\(index)]") }
    }

    private func readDeployStep(_ node: Node, _ subject: String) -> DeployStep? {
        let example = "'- manifests: k8s/' or '- run: ./scripts/seed.sh'"
        guard let fields = reader.mapping(node, subject, keys: ["manifests", "namespace", "run"], example: example) else { return nil }
        if let namespaceNode = fields["namespace"], fields["manifests"] == nil {
            reader.report(namespaceNode, "\(subject).namespace", "'namespace' belongs to a 'manifests' step",
                          fix: "move it to the '- manifests: ...' step whose objects it is for")
        }
        switch (fields["manifests"], fields["run"]) {
        case let (manifests?, nil):
            guard let paths = reader.strings(manifests, "\(subject).manifests", example: "'manifests: k8s/'") else { return nil }
            let pathNodes = manifests.sequence.map(Array.init) ?? [manifests]
            for (path, pathNode) in zip(paths, pathNodes) where staysInside(path, pathNode, "\(subject).manifests") {
                checkManifests(path, pathNode, "\(subject).manifests")
            }
            var namespace: String?
            if let node = fields["namespace"], let name = reader.string(node, "\(subject).namespace", example: "'namespace: app'") {
                if Self.isDNSLabel(name) {
                    namespace = name
                } else {
                    reader.report(node, "\(subject).namespace", "'\(name)' is not a namespace name",
                                  fix: "use lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit")
                }
            }
            return .manifests(paths, namespace: namespace)
        case let (nil, run?):
            return reader.string(run, "\(subject).run", example: "'run: ./scripts/seed.sh'").map { .run($0) }
        case (.some, .some):
            reader.report(fields.entries["run"]?.key, "\(subject)", "has both 'manifests' and 'run'; a step does one thing",
                          fix: "split it into two steps: '- manifests: ...' then '- run: ...'")
            return nil
        case (nil, nil):
            reader.report(node, subject, "expected 'manifests' or 'run'", fix: "write it as \(example)")
            return nil
        }
    }

    /// That `path` names manifests kubectl's `-f` (or `DIR/**`) would apply: something that exists,
    /// a folder with files of its own, and no kustomization, which kustomize builds instead.
    private func checkManifests(_ path: String, _ node: Node, _ subject: String) {
        let fix = "paths are relative to the folder holding the configuration file"
        if ManifestPaths.isRecursive(path) {
            let base = ManifestPaths.base(ofRecursive: path)
            if !exists(base, folder: true) {
                reader.report(node, subject, "'\(path)': folder '\(base)' does not exist", fix: fix)
            } else if ManifestPaths.filesBelow(resolve(base)).isEmpty {
                reader.report(node, subject, "'\(path)' holds no manifest files", fix: "name a folder with YAML or JSON manifests below it")
            }
            return
        }
        guard matchesSomething(path) else {
            reader.report(node, subject, Glob.isPattern(path) ? "'\(path)' matches no file" : "'\(path)' does not exist", fix: fix)
            return
        }
        guard !Glob.isPattern(path) else { return }
        let url = resolve(path)
        let isFolder = exists(path, folder: true)
        if isFolder ? ManifestPaths.holdsKustomization(url) : ManifestPaths.isKustomization(url.lastPathComponent) {
            let parent = (path as NSString).deletingLastPathComponent
            reader.report(node, subject, "'\(path)' is a kustomization, which kustomize builds into manifests; applied as it is, it is not objects",
                          fix: "deploy it with '- run: kubectl apply --server-side --field-manager=kind-ci -k \(isFolder ? path : parent.isEmpty ? "." : parent)'")
            return
        }
        guard isFolder, ManifestPaths.files(in: url).isEmpty else { return }
        let below = ManifestPaths.filesBelow(url)
        if below.isEmpty {
            reader.report(node, subject, "folder '\(path)' holds no manifest files", fix: "add YAML or JSON manifests to it, or remove the step")
        } else {
            let slash = path.hasSuffix("/") ? "" : "/"
            reader.report(node, subject, "folder '\(path)' holds no manifest files of its own, only folders (\(below.count) \(below.count == 1 ? "file" : "files") below): like kubectl -f, a folder means its own files",
                          fix: "write '\(path)\(slash)**' to apply every manifest below it")
        }
    }

    /// A Kubernetes namespace name (RFC 1123 label).
    static func isDNSLabel(_ name: String) -> Bool {
        let characters = Array(name.utf8)
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard let first = characters.first, let last = characters.last, characters.count <= 63 else { return false }
        return alphanumeric(first) && alphanumeric(last) && characters.allSatisfy { alphanumeric($0) || $0 == 45 }
    }
}
