import KindCICore

/// Which applied objects run which build, and where the code under test would not be what runs:
/// a build no object runs, or a manifest image that looks like a build (the same last path
/// segment, another repository) and so would be pulled from its registry instead. Both are
/// warnings with the fix; `strict_images: true` makes them errors.
struct ImageWiring: Sendable {
    /// A container that runs a build.
    struct Use: Sendable {
        let container: ContainerImage
        /// The namespace its object goes to; nil for cluster-scoped objects.
        let namespace: String?
    }

    let configuration: Configuration
    /// Per build, in `build:` order.
    private(set) var uses: [[Use]]
    /// `deploy[1]: ./seed.sh`: steps whose objects kind-ci cannot see.
    let opaqueSteps: [String]
    private(set) var warnings: [Problem.Finding] = []
    /// Said, never an error: what kind-ci cannot judge (builds that only a `run:` step may deploy),
    /// and `deployed: false` builds that an object runs anyway.
    private(set) var notes: [String] = []
    /// Builds a lookalike warning is about, which says all there is to say about them.
    private var lookalikes: Set<Int> = []

    init(configuration: Configuration, manifests: [Manifest], opaqueSteps: [String]) {
        self.configuration = configuration
        self.opaqueSteps = opaqueSteps
        let containers = manifests.flatMap { manifest in manifest.containers.map { ($0, manifest.object.namespace) } }
        uses = configuration.build.indices.map { index in
            containers.filter { $0.0.build == index }.map { Use(container: $0.0, namespace: $0.1) }
        }
        warnLookalikes(containers.map(\.0))
        warnUnused()
    }

    /// The builds in the order given, each with what runs it: `config check`'s table.
    var table: [String] {
        configuration.build.enumerated().flatMap { index, build -> [String] in
            let head = "build[\(index)] \(build.image)"
            if uses[index].isEmpty {
                let why = !build.deployed ? "not deployed (deployed: false): for the tests"
                    : opaqueSteps.isEmpty ? "run by nothing kind-ci applies"
                    : "run by nothing kind-ci reads; \(opaqueSteps.joined(separator: ", ")) may deploy it"
                return ["  \(head) → \(why)"]
            }
            return ["  \(head) →"] + uses[index].map { use in
                let place = use.namespace.map { " in \($0)" } ?? ""
                let container = use.container.list == "containers" ? "container" : String(use.container.list.dropLast())
                return "    \(use.container.object)\(place), \(container) \(use.container.name) (\(use.container.location))"
            }
        }
    }

    /// The warnings as one error, when `strict_images: true` asks for that.
    var strictProblem: Problem? {
        guard configuration.strictImages, !warnings.isEmpty else { return nil }
        return Problem(findings: warnings, notes: ["strict_images: true makes these errors; fix them, or set it to false to be warned only"],
                       status: .badConfiguration)
    }

    /// One warning per image repository that looks like a build's and is not rewritten, with the
    /// exact `replaces:` that would make its containers run the build.
    private mutating func warnLookalikes(_ containers: [ContainerImage]) {
        var seen: Set<String> = []
        let builds = configuration.build
        for container in containers {
            guard container.build == nil, let reference = container.reference,
                  let index = builds.firstIndex(where: { Self.looksAlike($0, reference) }),
                  seen.insert("\(index) \(reference.canonicalRepository)").inserted else { continue }
            let build = builds[index]
            let others = containers.filter { $0.reference?.canonicalRepository == reference.canonicalRepository && $0.location != container.location }
            let replaces = (build.replaces.map(\.description) + [reference.repository])
            let line = replaces.count == 1 ? "replaces: \(replaces[0])" : "replaces: [\(replaces.joined(separator: ", "))]"
            lookalikes.insert(index)
            warnings.append(Problem.Finding(
                origin: .location(container.location),
                headline: "\(container.object) container \(container.name) runs \(container.written), which looks like build[\(index)] \(build.image) "
                    + "but is another repository: its pods would pull the published image, not the code under test"
                    + (uses[index].isEmpty && build.deployed ? ", and no object runs build[\(index)]" : ""),
                details: others.map { "also \($0.object) container \($0.name) (\($0.location))" },
                fix: "if it is the image build[\(index)] makes, add '\(line)' to build[\(index)] in \(configuration.file)"))
        }
    }

    /// The same last path segment (`vote` in `registry.example.com/org/vote`), another repository.
    private static func looksAlike(_ build: BuildEntry, _ reference: ImageReference) -> Bool {
        ([build.image] + build.replaces).contains { $0.lastPathSegment == reference.lastPathSegment }
    }

    private mutating func warnUnused() {
        for (index, build) in configuration.build.enumerated() {
            let subject = "build[\(index)] \(build.image)"
            switch (build.deployed, uses[index].isEmpty) {
            case (false, false):
                notes.append("\(subject) is marked deployed: false, but \(uses[index][0].container.object) runs it")
            case (true, true) where lookalikes.contains(index):
                continue
            case (true, true) where !opaqueSteps.isEmpty:
                notes.append("\(subject): no manifest kind-ci reads runs it; kind-ci cannot see into \(opaqueSteps.joined(separator: ", ")), which may")
            case (true, true):
                warnings.append(Problem.Finding(
                    origin: .location(build.position.locating(configuration.file)),
                    headline: "\(subject) is run by no object the deploy steps apply, so the cluster never runs the code under test",
                    fix: "name its repository (\(build.image.repository), any tag) in a manifest's image, add the repository the manifests use "
                        + "as 'replaces:', or mark it 'deployed: false' if only the tests use it"))
            default:
                continue
            }
        }
    }
}
