import Foundation
import KindCICore

/// The `deploy:` steps with their manifests read, checked and image references rewritten, so that
/// a broken manifest is reported (exit 78) before kind is even waited for.
struct DeploySteps {
    enum Step {
        case manifests([Manifest], namespace: String?)
        case run(String)
    }

    private(set) var steps: [Step] = []
    /// Image references changed to the built ones, for the log.
    private(set) var rewrites: [String] = []
    /// The images the manifests run that no build makes, each once, in order: what to pre-pull.
    private(set) var pulledImages: [ImageReference] = []

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
                let reader = ManifestReader(directory: URL(fileURLWithPath: configuration.directory), images: images,
                                            namespace: namespace ?? "default", containment: configuration.containment)
                do {
                    let result = try reader.read(paths)
                    steps.append(.manifests(result.manifests, namespace: namespace))
                    rewrites += result.rewrites
                    for image in result.manifests.flatMap({ images.pulled(by: $0.object) }) where !pulledImages.contains(image) {
                        pulledImages.append(image)
                    }
                } catch let error as ManifestProblems {
                    problems += error.files
                }
            case let .run(command):
                steps.append(.run(command))
            }
        }
        guard problems.isEmpty else { throw ManifestProblems(files: problems) }
    }

    /// `deploy[0]: manifests k8s/` or `deploy[1]: ./seed.sh`, as the report names a step.
    private(set) var titles: [String] = []

    func title(_ index: Int) -> String { titles[index] }

    var objectCount: Int {
        steps.reduce(0) { count, step in
            if case let .manifests(manifests, _) = step { return count + manifests.count }
            return count
        }
    }
}
