import Foundation
import KindCICore

/// `test:` with kind-ci's environment (and this shard's share of the test files), stopped at
/// `test.timeout` or the overall deadline; its reports copied into the artifacts whatever happens.
struct TestsPhase {
    let context: RunContext
    let test: TestSettings
    let env: EnvFile

    func run() async throws {
        context.recorder.enter(.test)
        let progress = context.progress
        await context.recorder.begin(.test)
        var environment = env.childEnvironment
        if !test.shardFiles.isEmpty {
            do {
                environment["KIND_CI_SHARD_FILES"] = try await shareFiles()
            } catch {
                await progress.end(success: false, "failed")
                throw error
            }
        }
        let phase = TestPhase(settings: test, directory: context.configuration.directory, environment: environment, progress: progress)
        let limit = context.deadline.limit("test.timeout", test.timeout)
        await progress.note(test.run)
        let started = ContinuousClock.now
        let result: Result<TestPhase.Outcome, any Error>
        do {
            result = .success(try await phase.run(until: limit.instant, limit: limit.name))
        } catch {
            result = .failure(error)
        }
        await keepReports(phase)
        guard case let .success(outcome) = result else {
            await context.recorder.add(.test, test.run, duration: ContinuousClock.now - started, .skipped("the run was cancelled"))
            await progress.end(success: false, "cancelled")
            _ = try result.get()
            return
        }
        let duration = ContinuousClock.now - started
        await context.recorder.span(.test, from: started)
        if outcome == .finished(.exited(0)) {
            await context.recorder.add(.test, test.run, duration: duration)
            await progress.end(success: true, "passed")
            return
        }
        let message: String = switch outcome {
        case let .finished(result): "the test command \(result.description)"
        case let .stopped(limit): "stopped at \(limit)"
        }
        await context.recorder.add(.test, test.run, duration: duration, .failed(message: message, details: message))
        await progress.end(success: false, message)
        throw Problem.testsFailed(outcome)
    }

    /// This shard's share of `test.shard.files`, also written to the artifacts' `shard-files`.
    private func shareFiles() async throws -> String {
        let shards = context.shards
        let all = Shards.files(matching: test.shardFiles, in: context.configuration.directory)
        let share = shards.share(of: all)
        let list = context.artifacts.appendingPathComponent("shard-files")
        try ArtifactFile.write(share.map { $0 + "\n" }.joined(), to: list, privately: false)
        await context.progress.note("shard \(shards.index) of \(shards.count): \(share.count) of \(all.count) test files "
            + "(KIND_CI_SHARD_FILES, and \(context.request.artifacts)/shard-files)")
        return share.joined(separator: "\n")
    }

    private func keepReports(_ phase: TestPhase) async {
        let progress = context.progress
        let (copied, unmatched, outside) = phase.copyReports(into: context.artifacts.appendingPathComponent("reports"),
                                                             containment: context.configuration.containment)
        for pattern in unmatched { await progress.note("test.reports: \(pattern) matched no file") }
        for file in outside { await progress.note("test.reports: not kept, \(file) (allow_outside: true keeps it)") }
        if !copied.isEmpty { await progress.note("kept \(copied.count) report\(copied.count == 1 ? "" : "s") in \(context.request.artifacts)/reports/") }
    }
}
