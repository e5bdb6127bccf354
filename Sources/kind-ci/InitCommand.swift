import ArgumentParser
import Foundation
import KindCICore
import Providers

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a CI host's pipeline files and, if there is none, a kind-ci.yml.",
        discussion: """
            Existing pipeline files are never overwritten without --force; an existing kind-ci.yml \
            is never overwritten. `kind-ci init --list` shows each host and what it needs from you.
            """
    )

    @Argument(help: "The CI host.")
    var host: Provider?

    @Flag(help: "List the CI hosts and what each needs from you, then exit.")
    var list = false

    @Option(name: .customLong("dir"), help: ArgumentHelp("The repository to write into.", valueName: "dir"))
    var directory = "."

    @Flag(help: "Replace existing pipeline files.")
    var force = false

    @Flag(help: "Print the pipeline files instead of writing anything.")
    var stdout = false

    @Option(help: ArgumentHelp("The kind image (default \(KindSettings.defaultImage)).", valueName: "image"))
    var kindImage: String?

    @Option(help: ArgumentHelp("Choose the kind image by Kubernetes version: bsycorp/kind:latest-1.N.", valueName: "1.N"))
    var kubernetes: String?

    @Option(help: ArgumentHelp("The job or step name (default kubernetes-tests; kubernetes_tests on Azure).", valueName: "name"))
    var job: String?

    @Option(help: ArgumentHelp("The GitLab stage (default \(PipelineOptions.defaultStage)).", valueName: "name"))
    var stage: String?

    @Option(help: ArgumentHelp("The job's image; it must contain kind-ci (default \(PipelineOptions.defaultRunnerImage)).",
                               valueName: "image"))
    var runnerImage: String?

    @Option(help: ArgumentHelp("Run N jobs (GitLab, GitHub, CircleCI, Buildkite, Azure), each with its own kind, sharing the test files of test.shard.", valueName: "N"))
    var parallel: Int?

    @Flag(help: "(Experimental; GitLab, GitHub) Add a job that bakes the manifests' images into the kind image the tests run on.")
    var bake = false

    @Option(name: .customLong("default-branch"),
            help: ArgumentHelp("(GitHub) The branch whose pushes run the tests (default \(PipelineOptions.defaultBranchName)).", valueName: "name"))
    var defaultBranch: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let parallel, !PipelineOptions.parallelRange.contains(parallel) {
            throw ValidationError("--parallel \(parallel): give \(PipelineOptions.parallelRange.lowerBound) to \(PipelineOptions.parallelRange.upperBound) jobs.")
        }
        if list {
            guard host == nil else { throw ValidationError("--list lists every host; leave out '\(host!.rawValue)'.") }
        } else if host == nil {
            let hosts = Provider.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("Name the CI host to write a pipeline for: \(hosts) (or --list).")
        }
    }

    func run() throws {
        guard let host, !list else {
            let width = Provider.allCases.map(\.rawValue.count).max() ?? 0
            for provider in Provider.allCases {
                let name = provider.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                let gone = provider.endOfLife.map { " (END OF LIFE: \($0))" } ?? ""
                Console.output("\(name)  \(provider.displayName): needs \(provider.needsFromUser)\(gone)")
            }
            return
        }
        if let gone = host.endOfLife, !global.quiet {
            Console.error("kind-ci init: warning: \(gone); the files are written for builds that still run there, another host's (`kind-ci init --list`) for the rest")
        }
        let root = URL(fileURLWithPath: directory)
        let existing = try existingConfiguration()
        let kindImage = try chosenKindImage(existing: existing)
        var options = PipelineOptions(kindImage: kindImage, job: job, stage: stage, runnerImage: runnerImage, parallel: parallel)
        options.defaultBranch = defaultBranch
        if bake {
            options.bake = true
            options.bakeWatch = try bakeWatch(existing, root: root, kindImage: kindImage)
        }
        let pipeline = try host.pipelineFiles(options)
        if stdout {
            // One file prints as it is (pipeable into place); several are told apart by a comment.
            for file in pipeline {
                if pipeline.count > 1 { Console.output("# ==> \(file.path) <==") }
                FileHandle.standardOutput.write(Data(file.contents.utf8))
            }
            return
        }
        let outcome = try PipelineWriter.write(pipeline, into: root, force: force, existing: ExistingPipeline.way(for: host, options)) {
            try ConfigScaffold.render(repository: root, kindImage: kindImage)
        }
        guard !global.quiet else { return }
        for path in outcome.written { Console.output("wrote \(path)") }
        if outcome.keptConfiguration { Console.output("kept \(ConfigScaffold.path) as it is") }
        if let beside = outcome.beside { explain(beside) }
        Console.output("next: review \(ConfigScaffold.path), run `kind-ci config check`, and commit the files")
    }

    /// The user's own pipeline file is kept: the line that includes kind-ci's, or the job to merge.
    private func explain(_ beside: (files: [String], way: ExistingPipeline, pipeline: [GeneratedFile])) {
        let yours = beside.files.joined(separator: " and ")
        switch beside.way {
        case let .include(files, line, note):
            let theirs = files.map(\.path).joined(separator: " and ")
            Console.output("kept \(yours) as it is; kind-ci's job is in \(theirs). Add to \(yours):\n\n\(line)\n")
            if let note { Console.output("note: \(note)") }
        case .merge:
            Console.output("kept \(yours) as it is (--force replaces it). Merge kind-ci's job into it:\n")
            for file in beside.pipeline {
                Console.output("# ==> \(file.path) <==")
                Console.write(file.contents)
            }
        }
    }

    /// The kind-ci.yml already there, which the pipeline follows. It must be valid: its problems
    /// stop `init` (78) as they stop `config check`, named by the folder as given (`--dir`).
    private func existingConfiguration() throws -> Configuration? {
        let path = directory == "." ? ConfigScaffold.path : (directory as NSString).appendingPathComponent(ConfigScaffold.path)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try ConfigLoader.load(path: path)
    }

    /// The image the pipeline starts: always the one kind-ci.yml names, since `run --up` reads it
    /// from there and a service image that differs would go stale. A flag that disagrees with an
    /// existing kind-ci.yml is refused; without one, the file decides.
    private func chosenKindImage(existing: Configuration?) throws -> ImageReference {
        guard let existing else { return try PipelineOptions.kindImage(named: kindImage, kubernetes: kubernetes) }
        guard kindImage != nil || kubernetes != nil else { return existing.kind.image }
        let asked = try PipelineOptions.kindImage(named: kindImage, kubernetes: kubernetes)
        guard asked == existing.kind.image else {
            let flag = kindImage != nil ? "--kind-image \(kindImage!)" : "--kubernetes \(kubernetes!)"
            throw Problem("\(flag) asks for \(asked), but kind-ci.yml's kind.image is \(existing.kind.image), and the pipeline starts the image kind-ci.yml names",
                          fix: "change `kind.image` in kind-ci.yml to \(asked) (and leave out the flag), or leave out the flag",
                          status: .usage, origin: .command("kind-ci init"))
        }
        return asked
    }

    /// What `--bake` watches: kind-ci.yml and the manifests of the one there is, or of the one
    /// about to be scaffolded.
    private func bakeWatch(_ existing: Configuration?, root: URL, kindImage: ImageReference) throws -> [String] {
        let configuration = try existing ?? ConfigLoader.decode(Data(ConfigScaffold.render(repository: root, kindImage: kindImage).contents.utf8),
                                                                path: ConfigScaffold.path, directory: root)
        return PipelineOptions.bakeWatch(configuration)
    }
}
