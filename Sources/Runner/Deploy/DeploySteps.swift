import Foundation
import KindCICore

/// The `deploy:` steps with their manifests read, checked and image references rewritten, so that
/// a broken manifest, or with `strict_images: true` a build the pods would not run, is reported
/// (exit 78) before kind is even waited for.
struct DeploySteps: Sendable {
    enum Step: Sendable {
        case manifests([Manifest], namespace: String?)
        case run(String)
    }

    private(set) var steps: [Step] = []
    /// Which objects run which build, and the warnings about it.
    let wiring: ImageWiring

    /// Image references changed to the built ones, for the log.
    var rewrites: [String] { manifests.flatMap(\.containers).compactMap(\.rewrite) }

    /// The images the manifests run that no build makes, each once, in order: what to pre-pull
    /// (and what `bake` bakes in), after the rewrite, so never a registry's release of a build.
    var pulledImages: [ImageReference] {
        var images: [ImageReference] = []
        for image in manifests.flatMap(\.containers).compactMap(\.pulled) where !images.contains(image) { images.append(image) }
        return images
    }

    /// Every object of every `manifests:` step, in order.
    var manifests: [Manifest] { Self.objects(of: steps) }

    private static func objects(of steps: [Step]) -> [Manifest] {
        steps.flatMap { step -> [Manifest] in
            if case let .manifests(manifests, _) = step { return manifests }
            return []
        }
    }

    init(_ configuration: Configuration) throws {
        let images = BuiltImageReferences(builds: configuration.build)
        var problems: [ConfigProblems] = []
        for (index, step) in configuration.deploy.enumerated() {
            switch step {
            case let .manifests(paths, _): titles.append("deploy[\(index)]: manifests \(paths.joined(separator: ", "))")
            case let .run(command): titles.append("deploy[\(index)]: \(command)")
            }
            switch step {
            case let .manifests(paths, namespace):
                var reader = ManifestReader(directory: URL(fileURLWithPath: configuration.directory), images: images,
                                            namespace: namespace ?? "default", containment: configuration.containment)
                reader.configFile = configuration.fileName
                do {
                    steps.append(.manifests(try reader.read(paths).manifests, namespace: namespace))
                } catch let error as ManifestProblems {
                    problems += error.files
                }
            case let .run(command):
                steps.append(.run(command))
            }
        }
        guard problems.isEmpty else { throw ManifestProblems(files: problems) }
        let (read, named) = (steps, titles)
        let opaque = read.indices.filter { if case .run = read[$0] { true } else { false } }
        wiring = ImageWiring(configuration: configuration, manifests: Self.objects(of: read), opaqueSteps: opaque.map { named[$0] })
        if let strict = wiring.strictProblem { throw strict }
    }

    /// `deploy[0]: manifests k8s/` or `deploy[1]: ./seed.sh`, as the report names a step.
    private(set) var titles: [String] = []

    func title(_ index: Int) -> String { titles[index] }

    var objectCount: Int { manifests.count }
}
