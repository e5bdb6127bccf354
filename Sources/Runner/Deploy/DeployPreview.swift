import KindCICore

/// What `run` would deploy, read and checked without kind: the manifests as `run` reads them, the
/// image rewrite, and its warnings. `config check` prints the wiring; `render` prints the objects.
public struct DeployPreview: Sendable {
    let steps: DeploySteps
    let configuration: Configuration

    /// Reads every `manifests:` step; throws (78) what `run` would refuse before touching kind.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        steps = try DeploySteps(configuration)
    }

    /// Unused builds and lookalike images, each with its fix.
    public var warnings: [Problem.Finding] { steps.wiring.warnings }

    /// What kind-ci cannot judge, said once each.
    public var notes: [String] { steps.wiring.notes }

    /// Each build and the objects and containers that run it, a line each (indented).
    public var wiring: [String] { steps.wiring.table }

    /// The steps that are the user's own commands, which kind-ci neither checks nor renders.
    public var commandSteps: [String] {
        steps.steps.indices.compactMap { if case .run = steps.steps[$0] { steps.title($0) } else { nil } }
    }

    /// Every object `run` would apply, in its order, as multi-document YAML: each step named in a
    /// comment, each object after a comment naming its file and document (and its rewritten
    /// images), Secret values masked, `run:` steps as comments.
    public func yaml() throws -> String {
        var lines = [ManifestYAML.comment("kind-ci render: what `kind-ci run` applies for \(configuration.file), in that order, after the image rewrite")]
        for (index, step) in steps.steps.enumerated() {
            switch step {
            case let .run(command):
                lines.append(ManifestYAML.comment("deploy[\(index)]: run: \(command) (not rendered: a command kind-ci runs)"))
            case let .manifests(manifests, namespace):
                lines.append(ManifestYAML.comment(steps.title(index)))
                for manifest in ApplyOrder(manifests, namespace: namespace).all {
                    lines.append("---")
                    lines.append(ManifestYAML.comment(manifest.source))
                    lines += manifest.containers.compactMap(\.rewrite).map { ManifestYAML.comment("runs the build: \($0)") }
                    lines.append(try ManifestYAML.document(ManifestYAML.masking(manifest.object)))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
