import KindCICore

/// The phases this run goes through, from the configuration and `--until`: kind always; the
/// builds and pre-pulls when there is something to build or pull; the rest up to where `--until`
/// stops, and only what the configuration asks for (no deploy without `deploy:`, no tests without
/// `test:`, none at all after `--until`).
struct RunPlan: Sendable, Equatable {
    let phases: [RunPhase]
    let until: RunStop?

    init(configuration: Configuration, pulledImages: Bool, until: RunStop?) {
        self.until = until
        let reaches = { (stop: RunStop) in until.map { $0 >= stop } ?? true }
        let deploys = !configuration.deploy.isEmpty
        var phases: [RunPhase] = [.kind]
        if !configuration.build.isEmpty { phases.append(.build) }
        if pulledImages { phases.append(.prePull) }
        if reaches(.kubernetes) { phases.append(.kubernetes) }
        if deploys, reaches(.deploy) { phases.append(.deploy) }
        if deploys, reaches(.ready) { phases.append(.ready) }
        if until == nil, configuration.test != nil { phases.append(.test) }
        self.phases = phases
    }

    func contains(_ phase: RunPhase) -> Bool { phases.contains(phase) }

    /// What the run ends with when all went well: `passed`, or where `--until` stopped it.
    var successOutcome: String {
        until.map { "stopped after \($0.rawValue) as asked (--until)" } ?? "passed"
    }
}
