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
            for (path, pathNode) in zip(paths, pathNodes) where staysInside(path, pathNode, "\(subject).manifests") && !matchesSomething(path) {
                reader.report(pathNode, "\(subject).manifests",
                              Glob.isPattern(path) ? "'\(path)' matches no file" : "'\(path)' does not exist",
                              fix: "paths are relative to the folder holding the configuration file")
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

    /// A Kubernetes namespace name (RFC 1123 label).
    static func isDNSLabel(_ name: String) -> Bool {
        let characters = Array(name.utf8)
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard let first = characters.first, let last = characters.last, characters.count <= 63 else { return false }
        return alphanumeric(first) && alphanumeric(last) && characters.allSatisfy { alphanumeric($0) || $0 == 45 }
    }
}
