import KindCICore
import Foundation

/// Writes what `init` generates into a repository: all or nothing when a pipeline file already
/// exists (unless forced), and a scaffolded kind-ci.yml only where there is none.
public enum PipelineWriter {
    public struct Outcome: Sendable {
        /// Paths written, relative to the repository.
        public let written: [String]
        /// True when a kind-ci.yml was there and was left as it was.
        public let keptConfiguration: Bool
        /// The user's own pipeline files, left as they were, and what to do with kind-ci's.
        public var beside: (files: [String], way: ExistingPipeline, pipeline: [GeneratedFile])?
    }

    /// Writes `pipeline` and, where there is none, the scaffold. Where the host's files exist
    /// already (and `force` is not given) `existing` says how kind-ci's job goes beside them;
    /// nil refuses (73).
    public static func write(_ pipeline: [GeneratedFile], into root: URL, force: Bool, existing way: ExistingPipeline?,
                             scaffold: () throws -> GeneratedFile) throws -> Outcome {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw Problem.initRefuses("'\(root.path)' is not a folder", fix: "pass --dir with your repository's folder", exitStatus: .usage)
        }
        let existing = pipeline.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0.path).path) }
        var beside: (files: [String], way: ExistingPipeline, pipeline: [GeneratedFile])?
        var pipeline = pipeline
        if !force, !existing.isEmpty, let way {
            beside = (existing.map(\.path), way, pipeline)
            switch way {
            case let .include(files, _, _):
                pipeline = files
            case .merge:
                pipeline = []
            }
        } else if !force, !existing.isEmpty {
            let names = existing.map { "'\($0.path)'" }.joined(separator: " and ")
            throw Problem.initRefuses("\(names) already \(existing.count == 1 ? "exists" : "exist"); nothing was written",
                                      fix: "pass --force to replace, or --stdout to see what would be written", exitStatus: .cannotCreate)
        }
        let keptConfiguration = FileManager.default.fileExists(atPath: root.appendingPathComponent(ConfigScaffold.path).path)
        let files = keptConfiguration ? pipeline : pipeline + [try scaffold()]
        for file in files {
            let url = root.appendingPathComponent(file.path)
            do {
                // Some hosts read their files from a folder of their own (.github/workflows/, .circleci/).
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url, options: .atomic)
            } catch {
                throw Problem.initRefuses("cannot write '\(url.path)': \(error.localizedDescription)",
                                          fix: "check that the folder is writable", exitStatus: .cannotCreate)
            }
        }
        var outcome = Outcome(written: files.map(\.path), keptConfiguration: keptConfiguration)
        outcome.beside = beside
        return outcome
    }
}
