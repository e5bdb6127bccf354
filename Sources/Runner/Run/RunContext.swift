import Foundation
import KindCICore

/// What every phase of a run reads: the request and the configuration it came with, what was
/// worked out before kind was touched (the deploy steps, the shard), the time the run has, and
/// where it records and writes.
struct RunContext: Sendable {
    let request: RunRequest
    let configuration: Configuration
    let steps: DeploySteps
    let shards: Shards
    let plan: RunPlan
    let deadline: RunDeadline
    let http: HTTPFetch
    let recorder: PhaseRecorder
    let artifacts: URL

    var progress: ProgressReporter { recorder.progress }
    var report: RunReport { recorder.report }
}
