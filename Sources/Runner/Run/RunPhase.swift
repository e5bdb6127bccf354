/// The phases of `kind-ci run`, in the order a reader meets them. Each carries every name it goes
/// by: its suite in `report.xml`, its span on the timeline (and in the closing line), its section in
/// the log, and the phases it waits for (the critical path is read from those). No phase name is
/// written anywhere else.
enum RunPhase: String, CaseIterable, Sendable {
    /// Reading kind-ci.yml, the manifests and the job's variables, before kind is touched.
    case configuration
    case kind
    case build
    case prePull = "pre-pull"
    case kubernetes
    case deploy
    case ready
    case test

    /// The JUnit class name of this phase's cases.
    var suite: String {
        switch self {
        case .prePull: "kind-ci.pull"
        default: "kind-ci.\(rawValue)"
        }
    }

    /// The span's name on the timeline and in the closing line.
    var timelineName: String {
        switch self {
        case .test: "tests"
        default: rawValue
        }
    }

    /// The phases that must end before this one can: a phase waits for the latest of them.
    var waitsFor: [RunPhase] {
        switch self {
        case .configuration, .kind: []
        case .build, .prePull, .kubernetes: [.kind]
        case .deploy: [.build, .kubernetes, .prePull]
        case .ready: [.deploy]
        case .test: [.ready, .deploy, .build, .kubernetes]
        }
    }

    /// The log's section for the phase (a GitLab section id, a GitHub group). The build's title
    /// carries the number of images (`LogSection.building`); the pre-pulls go on beside other phases
    /// and have none, nor has the reading of the configuration, which says nothing unless it fails.
    var section: LogSection? {
        switch self {
        case .kind: LogSection(id: "kind_ci_docker", title: "Waiting for kind's docker")
        case .configuration, .build, .prePull: nil
        case .kubernetes: LogSection(id: "kind_ci_kubernetes", title: "Waiting for Kubernetes")
        case .deploy: LogSection(id: "kind_ci_deploy", title: "Deploying")
        case .ready: LogSection(id: "kind_ci_ready", title: "Waiting for the workloads")
        case .test: LogSection(id: "kind_ci_test", title: "Running the tests")
        }
    }

    /// Whether a run that never got here says so with a skipped case: the pre-pulls are a warning
    /// at most, and their images' own cases say what became of them; the configuration is read
    /// before anything else.
    var reportsSkipping: Bool { self != .prePull && self != .configuration }
}

/// A section of the log: GitLab folds it by `id`, and every style shows `title`.
struct LogSection: Sendable, Equatable {
    let id: String
    let title: String

    /// `--up`: kind started before anything waits for it.
    static let startingKind = LogSection(id: "kind_ci_up", title: "Starting kind")
    /// After a failure: what the cluster and kind's docker say.
    static let diagnostics = LogSection(id: "kind_ci_diagnostics", title: "Gathering diagnostics")

    /// The build's section, with the number of images in its title.
    static func building(_ count: Int) -> LogSection {
        LogSection(id: "kind_ci_build", title: "Building \(count) image\(count == 1 ? "" : "s") into kind's docker")
    }
}

extension RunReport {
    func add(_ phase: RunPhase, _ name: String, duration: Duration, _ outcome: Outcome = .passed) {
        add(phase.suite, name, duration: duration, outcome)
    }

    /// The phase's span on the timeline, after the phases it waits for.
    func span(_ phase: RunPhase, from start: ContinuousClock.Instant, to end: ContinuousClock.Instant = .now) {
        self.phase(phase.timelineName, from: start, to: end, after: phase.waitsFor.map(\.timelineName))
    }
}
