import Foundation
import KindCICore

/// `test:`: the test command, by `/bin/sh -c` in the configuration's folder with kind-ci's
/// environment, its output streamed; stopped like a signal would stop it (its process group gets
/// SIGTERM, then SIGKILL) when `test.timeout` or the overall deadline comes; afterwards the report
/// files it names are copied into the artifacts, whatever the outcome.
struct TestPhase: Sendable {
    let settings: TestSettings
    let directory: String
    let environment: [String: String?]
    let progress: ProgressReporter

    enum Outcome: Sendable, Equatable {
        case finished(ShellCommand.Outcome)
        /// Stopped at `limit` (`test.timeout 10m`, `the overall deadline`).
        case stopped(limit: String)
    }

    func run(until deadline: ContinuousClock.Instant, limit: String) async throws -> Outcome {
        let command = ShellCommand(command: settings.run, directory: directory, environment: environment)
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask {
                .finished(try await command.run { [progress] line in await progress.output(line) })
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                return .stopped(limit: limit)
            }
            defer { group.cancelAll() }
            // Whichever ends first: the command, or the deadline (the other is then cancelled).
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }

    /// Copies what `test.reports` matches (files, and folders with all they hold) into `folder`,
    /// their names kept (a name seen twice gets its folders in front), except what leads outside
    /// the configuration's folder (through a link) while `containment` holds; returns the copies,
    /// the patterns that matched nothing, and what was left out for leading outside.
    func copyReports(into folder: URL, containment: PathContainment?) -> (copied: [String], unmatched: [String], outside: [String]) {
        var copied: [String] = []
        var unmatched: [String] = []
        var outside: [String] = []
        var taken: Set<String> = []
        for pattern in settings.reports {
            let full = pattern.hasPrefix("/") ? pattern : URL(fileURLWithPath: directory).appendingPathComponent(pattern).path
            let matches = Glob.isPattern(pattern) ? Glob.matches(full) : (FileManager.default.fileExists(atPath: full) ? [full] : [])
            if matches.isEmpty { unmatched.append(pattern) }
            for path in matches {
                if let containment, let escape = containment.escape(ofMatch: path) {
                    outside.append("\(path): \(escape)")
                    continue
                }
                let relative = path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
                var name = URL(fileURLWithPath: path).lastPathComponent
                if taken.contains(name) {
                    name = relative.split(separator: "/").filter { $0 != ".." }.joined(separator: "_")
                }
                taken.insert(name)
                for (file, target) in Self.files(at: path, into: folder.appendingPathComponent(name)) {
                    if let containment, file != path, let escape = containment.escape(ofMatch: file) {
                        outside.append("\(file): \(escape)")
                        continue
                    }
                    // Masked like everything kind-ci keeps: a test may print what it should not.
                    if let data = FileManager.default.contents(atPath: file), (try? ArtifactFile.write(data, to: target, privately: false)) != nil {
                        copied.append(target.path)
                    }
                }
            }
        }
        return (copied, unmatched, outside)
    }

    /// The file at `path` with `target`, or for a folder each file under it with its place under `target`.
    private static func files(at path: String, into target: URL) -> [(String, URL)] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [(path, target)] }
        let inside = ((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []).sorted()
        return inside.compactMap { relative in
            let file = path + "/" + relative
            var isSubfolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isSubfolder), !isSubfolder.boolValue else { return nil }
            return (file, target.appendingPathComponent(relative))
        }
    }
}

/// The tests ran and failed: kind-ci exits with their code when it is 1-63, else 1, so that a test
/// suite's code is never mistaken for one of kind-ci's own (cli-contract.md).
extension Problem {
    static func testsFailed(_ outcome: TestPhase.Outcome) -> Problem {
        switch outcome {
        case let .finished(.exited(code)) where ExitStatus.testCommandExit(code) != code:
            Problem("the tests failed: the test command exited with \(code), reported as 1 (codes outside 1-63 would read as kind-ci's own)",
                    status: .testsFailed)
        case let .finished(.exited(code)):
            Problem("the tests failed: the test command \(ShellCommand.Outcome.exited(code).description)",
                    status: .testsFailed, exitCode: code)
        case let .finished(result):
            Problem("the tests failed: the test command \(result.description)", status: .testsFailed)
        case let .stopped(limit):
            Problem("the tests did not finish within \(limit): stopped them",
                    fix: "raise the limit, or look for a test that hangs (its output is above)", status: .testsFailed)
        }
    }
}
