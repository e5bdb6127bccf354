import KindCICore

/// kind did not become ready in time: what was seen, why that happens, and where the evidence is.
/// Exit 75, which generated pipelines retry.
public struct KindNotReady: UserFacingError {
    public let headline: String
    public let explanation: [String]

    public var problem: Problem {
        Problem(headline, details: explanation, status: .kindNotReady)
    }
}

/// What the probes of one address saw while waiting.
struct Observation: Sendable {
    private(set) var counts: [ProbeOutcome: Int] = [:]
    private(set) var last: ProbeOutcome?

    mutating func record(_ outcome: ProbeOutcome) {
        counts[outcome, default: 0] += 1
        last = outcome
    }

    var attempts: Int { counts.values.reduce(0, +) }
    var everAnswered: Bool { counts.keys.contains(where: \.answered) }
    var onlyUnresolved: Bool { counts.keys.allSatisfy { $0 == .failed(.unresolved) } }
    var onlyRefused: Bool { !counts.isEmpty && counts.keys.allSatisfy { $0 == .failed(.refused) } }
}

enum KindDiagnosis {
    static let privilegedHint = [
        "kind serves nothing unless it runs privileged. On GitLab the runner's config.toml needs",
        "`privileged = true` (or `services_privileged = true` with `allowed_privileged_services`);",
        "with `kind-ci up` the Docker daemon must allow --privileged.",
    ]

    /// Why docker-ready never showed, from what each address saw.
    static func dockerNeverReady(_ observations: [(KindAddress, Observation)], waited: Duration, named: Bool) -> KindNotReady {
        let time = ProgressReporter.format(waited)
        let addresses = observations.map(\.0.configEndpoint).joined(separator: ", ")
        if observations.allSatisfy({ $0.1.onlyUnresolved }) {
            let names = observations.map(\.0.host).joined(separator: ", ")
            if named, let (address, _) = observations.first {
                return KindNotReady(
                    headline: "kind's host '\(address.host)' (from \(address.reason)) never resolved in \(time).",
                    explanation: ["Is the name right? It must be the service's alias or host name as the job sees it."])
            }
            return KindNotReady(
                headline: "kind was not found in \(time): none of \(names) resolves.",
                explanation: [
                    "Is the service alias right? kind-ci looks for `kind` (the alias `kind-ci init` writes); GitLab",
                    "also names the service after its image (\(observations.dropFirst().first?.0.host ?? "bsycorp-kind"), ...).",
                    "Elsewhere name kind's host with --host or KIND_CI_HOST; with no service at all, use `kind-ci run --up`.",
                ])
        }
        if let (address, observation) = observations.first(where: { $0.1.onlyRefused }),
           !observations.contains(where: { $0.1.everAnswered }) {
            return KindNotReady(
                headline: "kind is not running at \(address.configEndpoint): all \(observation.attempts) connections in \(time) were refused.",
                explanation: privilegedHint)
        }
        if let (address, observation) = observations.first(where: { $0.1.everAnswered }) {
            return KindNotReady(
                headline: "kind's config endpoint at \(address.configEndpoint) answers, but never served docker-ready in \(time) (last: \(observation.last?.description ?? "-")).",
                explanation: ["Docker inside kind did not start; kind's own log says why (on GitLab, set CI_DEBUG_SERVICES to see it)."])
        }
        let seen = observations.map { "\($0.0.configEndpoint): \($0.1.last?.description ?? "not tried")" }.joined(separator: "; ")
        return KindNotReady(
            headline: "kind did not answer at \(addresses) in \(time).",
            explanation: ["Last seen: \(seen)."] + privilegedHint)
    }
}
