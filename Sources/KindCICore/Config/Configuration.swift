import Foundation

/// `kind-ci.yml`, version 1: the one description of a pipeline's cluster, images, deployment and
/// tests that every command reads. Paths stay as written; they are relative to `directory`.
public struct Configuration: Sendable, Equatable {
    public static let currentVersion = 1

    /// The folder holding the file: every relative path in it is resolved against this.
    public var directory: String
    /// The file as the user named it, for messages that point into it.
    public var file = ConfigLoader.defaultFileName

    /// The file's own name, for messages that speak of it (`kind.yml` for `--config ci/kind.yml`).
    public var fileName: String { (file as NSString).lastPathComponent }
    public var kind = KindSettings()
    public var build: [BuildEntry] = []
    /// How images are built unless an entry says otherwise.
    public var builder = Builder.native
    /// How many images build at once. Builds mostly wait (on downloads, on the daemon), so more
    /// of them than cores still shortens the critical path; 8 covers most projects at once.
    public var buildJobs = 8
    /// Run in order.
    public var deploy: [DeployStep] = []
    public var wait = WaitSettings()
    public var test: TestSettings?
    /// The overall deadline; when absent, `run` derives one from the CI job's own timeout.
    public var timeout: ConfigDuration?
    /// Whether paths may lead outside `directory` (`..`, absolute paths, symbolic links).
    public var allowOutside = false
    /// `strict_images: true`: a build no object runs, or a manifest image that looks like a build
    /// and is not rewritten, is an error rather than a warning.
    public var strictImages = false

    /// What keeps the run's paths in the configuration's folder; nil when `allow_outside` lifts it.
    public var containment: PathContainment? {
        allowOutside ? nil : PathContainment(directory: URL(fileURLWithPath: directory), fileName: fileName)
    }

    /// What `kind-ci bake` puts into a kind image besides the images the manifests run.
    public var bake = BakeSettings()

    public init(directory: String) {
        self.directory = directory
    }
}

public struct KindSettings: Sendable, Equatable {
    public static let defaultImage = ImageReference(registry: nil, path: "bsycorp/kind", tag: "latest-1.23", digest: nil)

    public var image = KindSettings.defaultImage
    /// Where the job reaches kind; nil lets `run` detect it (scaffolds leave it out for that reason).
    public var host: String?
    public var ports = KindPorts()
    public var timeouts = KindTimeouts()

    public init() {}
}

public struct KindPorts: Sendable, Equatable {
    public var docker = 2375
    public var api = 8443
    public var config = 10080

    public init() {}
}

public struct KindTimeouts: Sendable, Equatable {
    /// From the job's start until kind's docker answers.
    public var docker = ConfigDuration.minutes(3)
    /// From the job's start until `kubernetes-ready`.
    public var kubernetes = ConfigDuration.minutes(6)

    public init() {}
}

/// One image under test, built into kind's own docker.
public struct BuildEntry: Sendable, Equatable {
    public var image: ImageReference
    /// Overrides the image's last path segment as the `KIND_CI_IMAGE_<NAME>` suffix.
    public var name: String?
    public var context = "."
    /// Relative to the context, as in Compose, Skaffold and `docker buildx bake`, whose key names
    /// kind-ci.yml borrows; nil means `Dockerfile` in the context.
    public var dockerfile: String?
    public var args: [BuildArgument] = []
    public var target: String?
    public var labels: [BuildArgument] = []
    /// Nil: the configuration's `builder`.
    public var builder: Builder?
    /// Repositories the manifests name for this build's image (`replaces:`, no tags): their
    /// containers run the built reference too.
    public var replaces: [ImageReference] = []
    /// `deployed: false`: only the tests use this image, so no manifest is expected to run it.
    public var deployed = true
    /// Where the entry's `image:` is written in kind-ci.yml, for warnings about the build.
    public var position = SourcePosition(line: 0, column: 0)
    /// Images whose layers the build may reuse (`cache_from`), typically this image as the last
    /// pipeline pushed it: pulled into kind's docker before the build, while its cluster boots.
    public var cacheFrom: [ImageReference] = []

    public init(image: ImageReference) {
        self.image = image
    }

    /// `APP` for `name: app` or for `registry/team/app:ci`: upper-cased, anything but letters and
    /// digits as `_`.
    public var environmentName: String {
        let base = name ?? image.lastPathSegment
        return String(base.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// The variable that carries the built reference to deploy steps and tests.
    public var environmentVariable: String { "KIND_CI_IMAGE_\(environmentName)" }

    /// The Dockerfile's path relative to the configuration's folder.
    public var dockerfilePath: String {
        Self.dockerfilePath(dockerfile ?? "Dockerfile", inContext: context)
    }

    /// `dockerfile` (relative to the context, unless absolute) as a path relative to the
    /// configuration's folder.
    public static func dockerfilePath(_ dockerfile: String, inContext context: String) -> String {
        guard !dockerfile.hasPrefix("/") else { return dockerfile }
        let folder = context.hasSuffix("/") ? String(context.dropLast()) : context
        return folder == "." || folder.isEmpty ? dockerfile : "\(folder)/\(dockerfile)"
    }

    /// How `path` (relative to the configuration's folder) is written relative to `context`: for
    /// the fix when a dockerfile was written relative to the configuration's folder.
    public static func path(_ path: String, relativeToContext context: String) -> String {
        let from = context.split(separator: "/").filter { $0 != "." }
        let to = path.split(separator: "/").filter { $0 != "." }
        let shared = zip(from, to).prefix { $0 == $1 }.count
        return (Array(repeating: "..", count: from.count - shared) + to.dropFirst(shared).map(String.init)).joined(separator: "/")
    }
}

/// A line and column in a file (1-based; line 0: the file as a whole).
public struct SourcePosition: Sendable, Equatable {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `kind-ci.yml:12:5`, as editors and CI logs link it; the bare file when there is no line.
    public func locating(_ file: String) -> String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }
}

/// `native` sends the build straight to kind's docker over its API (no docker CLI in the job);
/// `cli` runs `docker build` against it, for Dockerfiles that need BuildKit-only syntax.
public enum Builder: String, Sendable, Equatable, CaseIterable {
    case native
    case cli
}

/// A name and a value, in the file's order (build arguments, labels).
public struct BuildArgument: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public enum DeployStep: Sendable, Equatable {
    /// Files, folders or globs of Kubernetes manifests, applied server-side; objects that name no
    /// namespace go to `namespace` (created when absent), else to `default`.
    case manifests([String], namespace: String? = nil)
    /// A command run by `/bin/sh -c`.
    case run(String)
}

/// `bake:`, for `kind-ci bake` (experimental).
public struct BakeSettings: Sendable, Equatable {
    /// Images to bake in besides those the manifests run (ones a test starts itself, say).
    public var images: [ImageReference] = []
    /// Commands run by `sh -c` inside kind, before and after the images are pulled (kind's own
    /// before- and after-cluster hooks).
    public var before: String?
    public var after: String?

    public init() {}

    public var isEmpty: Bool { images.isEmpty && before == nil && after == nil }
}

public struct WaitSettings: Sendable, Equatable {
    /// How long the deployed workloads get to become ready.
    public var timeout = ConfigDuration.minutes(5)
    /// What a pod stuck pulling or crashing means.
    public var tolerate = Tolerance.none

    /// `none`: ErrImagePull, ImagePullBackOff, CrashLoopBackOff and CreateContainerConfigError fail
    /// the wait at once; `until-deadline`: they are waited out, for workloads that flap at start.
    public enum Tolerance: String, Sendable, Equatable, CaseIterable {
        case none
        case untilDeadline = "until-deadline"
    }

    public init() {}
}

public struct TestSettings: Sendable, Equatable {
    /// A command run by `/bin/sh -c`.
    public var run: String
    /// Files or globs of JUnit reports the tests write, copied into the artifacts.
    public var reports: [String] = []
    /// How long the tests may run; nil: until the overall deadline.
    public var timeout: ConfigDuration?
    /// Test files split across parallel jobs (`test.shard.files`); each job's share is handed to
    /// the test command.
    public var shardFiles: [String] = []

    public init(run: String) {
        self.run = run
    }
}
