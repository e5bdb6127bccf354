import Foundation
import KindCICore

/// What the user chose on `kind-ci init`'s command line, checked for the host at hand.
public struct PipelineOptions: Sendable {
    /// The image the generated pipeline runs its job in: kind-ci's release image, pinned to the
    /// version that wrote the pipeline.
    public static let defaultRunnerImage = "kindci/kind-ci:\(KindCIVersion.current)"
    public static let defaultJob = "kubernetes-tests"
    public static let defaultStage = "test"
    public static let defaultBranchName = "main"

    public var kindImage: ImageReference
    public var job: String
    /// Nil when not given; hosts without stages refuse it.
    public var stage: String?
    public var runnerImage: String
    /// `--parallel N`: N jobs, each with its own kind, sharing the tests (`test.shard`); nil: one.
    public var parallel: Int?
    /// `--bake`: a job that bakes the manifests' images into a kind image the tests then run on.
    public var bake = false
    /// The files whose changes mean baking again: kind-ci.yml and the manifests it names.
    public var bakeWatch = [ConfigScaffold.path]
    /// The pipeline is included by the user's own file (GitLab's `include: local`), whose
    /// `stages:` (or GitLab's default build, test, deploy) are the pipeline's: none of its own.
    public var included = false
    /// `--default-branch` (GitHub): the branch whose pushes run the tests; pull requests run them
    /// for every other change, so a pull request is not run twice. Nil when not given.
    public var defaultBranch: String?

    public init(kindImage: ImageReference = KindSettings.defaultImage, job: String? = nil, stage: String? = nil,
                runnerImage: String? = nil, parallel: Int? = nil) {
        self.kindImage = kindImage
        self.job = job ?? Self.defaultJob
        self.stage = stage
        self.runnerImage = runnerImage ?? Self.defaultRunnerImage
        self.parallel = parallel
    }

    /// What to watch for `--bake`: kind-ci.yml, and each manifest path of `configuration` as a
    /// pattern (a folder, as the disk has it or as written with a trailing `/`, stands for
    /// everything below it).
    public static func bakeWatch(_ configuration: Configuration?) -> [String] {
        var paths = [ConfigScaffold.path]
        guard let configuration else { return paths }
        for case let .manifests(manifests, _) in configuration.deploy {
            for path in manifests {
                var isFolder: ObjCBool = false
                let full = path.hasPrefix("/") ? path : configuration.directory + "/" + path
                let folder = path.hasSuffix("/") || (FileManager.default.fileExists(atPath: full, isDirectory: &isFolder) && isFolder.boolValue)
                let pattern = Glob.isPattern(path) || !folder ? path : (path.hasSuffix("/") ? path : path + "/") + "**/*"
                if !paths.contains(pattern) { paths.append(pattern) }
            }
        }
        return paths
    }

    /// GitLab's bounds for `parallel: N`, which the other hosts' limits include.
    public static let parallelRange = 2...200

    /// The kind image from `--kind-image IMAGE` or `--kubernetes 1.N` (at most one of them).
    public static func kindImage(named name: String?, kubernetes: String?) throws -> ImageReference {
        let text: String
        switch (name, kubernetes) {
        case (nil, nil):
            return KindSettings.defaultImage
        case let (name?, nil):
            text = name
        case let (nil, version?):
            text = "bsycorp/kind:latest-\(version.hasPrefix("v") ? String(version.dropFirst()) : version)"
        case (.some, .some):
            throw Problem.initRefuses("--kind-image and --kubernetes both choose the kind image",
                                      fix: "pass one of them", exitStatus: .usage)
        }
        let image: ImageReference
        switch ImageReference.parse(text) {
        case let .success(parsed): image = parsed
        case let .failure(problem):
            throw Problem.initRefuses("'\(text)' is not an image name: \(problem.reason)",
                                      fix: "pass e.g. --kind-image bsycorp/kind:latest-1.23 or --kubernetes 1.23",
                                      exitStatus: .usage)
        }
        if let problem = KindImagePolicy.problem(with: image) {
            throw Problem.initRefuses(problem.message, fix: problem.fix, exitStatus: .badConfiguration)
        }
        return image
    }
}
