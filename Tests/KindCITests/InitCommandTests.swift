import Foundation
import KindCICore
import Testing
import TestSupport
import Yams

/// `kind-ci init` end to end through the built binary.
@Suite struct InitCommandTests {
    static func contents(_ folder: TemporaryFolder, _ path: String) -> String? {
        try? String(contentsOf: folder.url.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func writesThePipelineAndAScaffold() throws {
        let folder = try TemporaryFolder()
        try folder.write("app/Dockerfile", "FROM scratch\n")
        let result = try KindCIBinary.run(["init", "gitlab", "--dir", folder.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("wrote .gitlab-ci.yml\nwrote kind-ci.yml\n"))
        #expect(Self.contents(folder, ".gitlab-ci.yml")?.contains("kind-ci run") == true)
        #expect(Self.contents(folder, "kind-ci.yml")?.contains("- image: app:ci") == true)
        let check = try KindCIBinary.run(["config", "check", folder.url.appendingPathComponent("kind-ci.yml").path])
        #expect(check.status == 0, "\(check.stderr)")
    }

    /// Most repositories have a `.gitlab-ci.yml` already: it is never touched; kind-ci's job goes
    /// into a file of its own, with the line that includes it, and kind-ci.yml is scaffolded.
    @Test func besideAnExistingGitLabFileTheJobGoesIntoAnIncludedFile() throws {
        let folder = try TemporaryFolder()
        try folder.write(".gitlab-ci.yml", "stages: [build, test]\nlint:\n  script: make lint\n")
        let result = try KindCIBinary.run(["init", "gitlab"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.contents(folder, ".gitlab-ci.yml") == "stages: [build, test]\nlint:\n  script: make lint\n")
        #expect(Self.contents(folder, "kind-ci.gitlab-ci.yml")?.contains("kind-ci run") == true)
        #expect(Self.contents(folder, "kind-ci.gitlab-ci.yml")?.contains("\nstages:") == false)
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("kind-ci.yml").path))
        #expect(result.stdout.contains("wrote kind-ci.gitlab-ci.yml\nwrote kind-ci.yml\n"), "\(result.stdout)")
        #expect(result.stdout.contains("Add to .gitlab-ci.yml:\n\ninclude:\n  - local: kind-ci.gitlab-ci.yml\n"), "\(result.stdout)")
        // The line printed, added to the user's file, is YAML that includes the file written.
        let included = try #require(try Yams.load(yaml: "include:\n  - local: kind-ci.gitlab-ci.yml\n") as? [String: [[String: String]]])
        #expect(included["include"]?.first?["local"] == "kind-ci.gitlab-ci.yml")
    }

    /// Where the host cannot include a file, the job is printed to merge; nothing of the user's changes.
    @Test func besideAnExistingCodeshipFileTheJobIsPrintedToMerge() throws {
        let folder = try TemporaryFolder()
        try folder.write("codeship-steps.yml", "mine\n")
        let result = try KindCIBinary.run(["init", "codeship", "-q"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.contents(folder, "codeship-steps.yml") == "mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["codeship-steps.yml", "kind-ci.yml"])
        let loud = try KindCIBinary.run(["init", "codeship"], in: folder.url)
        #expect(loud.stdout.contains("kept codeship-steps.yml as it is (--force replaces it). Merge kind-ci's job into it:"), "\(loud.stdout)")
        #expect(loud.stdout.contains("# ==> codeship-steps.yml <==\n"))
    }

    /// GitHub's workflow file is kind-ci's own: there, an existing one is an earlier init's.
    @Test func refusesToOverwriteItsOwnWorkflowAndChangesNothing() throws {
        let folder = try TemporaryFolder()
        let existing = ".github/workflows/kind-ci.yml"
        try folder.write(existing, "mine\n")
        let result = try KindCIBinary.run(["init", "github"], in: folder.url)
        #expect(result.status == ExitStatus.cannotCreate.rawValue)
        #expect(result.stderr.contains("'\(existing)' already exists; nothing was written"))
        #expect(result.stderr.contains("--force"))
        #expect(Self.contents(folder, existing) == "mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [".github"])
    }

    @Test func forceReplacesThePipelineButKeepsKindCIYml() throws {
        let folder = try TemporaryFolder()
        try folder.write(".gitlab-ci.yml", "mine\n")
        try folder.write("kind-ci.yml", "test: {run: ./mine.sh}\n")
        let result = try KindCIBinary.run(["init", "gitlab", "--force", "--job", "e2e"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.contents(folder, ".gitlab-ci.yml")?.contains("\ne2e:\n") == true)
        #expect(Self.contents(folder, "kind-ci.yml") == "test: {run: ./mine.sh}\n")
        #expect(result.stdout.contains("kept kind-ci.yml as it is"))
    }

    @Test func parallelIsGitLabsParallelAndBounded() throws {
        let three = try KindCIBinary.run(["init", "gitlab", "--stdout", "--parallel", "3"])
        #expect(three.status == 0, "\(three.stderr)")
        #expect(three.stdout.contains("\n  parallel: 3\n"))
        #expect(try KindCIBinary.run(["init", "gitlab", "--stdout", "--parallel", "1"]).status == ExitStatus.usage.rawValue)
        let codeship = try KindCIBinary.run(["init", "codeship", "--stdout", "--parallel", "2"])
        #expect(codeship.status == ExitStatus.usage.rawValue)
        #expect(codeship.stderr.contains("KIND_CI_SHARD"))
    }

    @Test func stdoutPrintsAndWritesNothing() throws {
        let folder = try TemporaryFolder()
        let gitlab = try KindCIBinary.run(["init", "gitlab", "--stdout", "--kubernetes", "1.22"], in: folder.url)
        #expect(gitlab.status == 0)
        #expect(gitlab.stdout.hasPrefix("# Written by `kind-ci init gitlab`"))
        #expect(gitlab.stdout.contains("- name: bsycorp/kind:latest-1.22\n"))
        let codeship = try KindCIBinary.run(["init", "codeship", "--stdout"], in: folder.url)
        #expect(codeship.stdout.hasPrefix("# ==> codeship-services.yml <==\n"))
        #expect(codeship.stdout.contains("# ==> codeship-steps.yml <==\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test func listShowsEveryHostAndWhatItNeeds() throws {
        let result = try KindCIBinary.run(["init", "--list"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("gitlab      GitLab CI: needs a runner that allows privileged services"))
        #expect(result.stdout.contains("codeship    Codeship Pro: needs"))
        let hosts = ["gitlab", "codeship", "github", "circleci", "travis", "bitbucket", "drone", "woodpecker", "buildkite", "azure"]
        #expect(result.stdout.split(separator: "\n").map { String($0.prefix { $0 != " " }) } == hosts)
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.contains(": needs ") })
        let ended = result.stdout.split(separator: "\n").filter { $0.contains("END OF LIFE") }
        #expect(ended.map { String($0.prefix { $0 != " " }) } == ["codeship"])
        #expect(ended.first?.contains("2026-01-31") == true)
    }

    /// Codeship is gone: `init codeship` still writes its files, for builds that still run there,
    /// and says so.
    @Test func initCodeshipSaysTheHostIsGone() throws {
        let folder = try TemporaryFolder()
        let result = try KindCIBinary.run(["init", "codeship"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci init: warning: CodeShip reached end of life on 2026-01-31"), "\(result.stderr)")
        #expect(Self.contents(folder, "codeship-steps.yml") != nil)
        let gitlab = try KindCIBinary.run(["init", "gitlab", "--stdout"], in: folder.url)
        #expect(!gitlab.stderr.contains("end of life"))
    }

    @Test(arguments: [
        (["init", "jenkins"], "- azure"),
        (["init"], "gitlab, codeship, github, circleci, travis, bitbucket, drone, woodpecker, buildkite, azure"),
        (["init", "gitlab", "--list"], "--list"),
        (["init", "codeship", "--stage", "test", "--stdout"], "Codeship Pro has no stages"),
        (["init", "gitlab", "--job", "variables", "--stdout"], "cannot name a GitLab job"),
        (["init", "gitlab", "--kubernetes", "1.23", "--kind-image", "x:1", "--stdout"], "pass one of them"),
        (["init", "gitlab", "--dir", "/nonexistent/folder"], "is not a folder"),
    ])
    func usageErrorsExit64(arguments: [String], says expected: String) throws {
        let result = try KindCIBinary.run(arguments)
        #expect(result.status == ExitStatus.usage.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    /// `--bake` watches the manifests of the kind-ci.yml there is: one that is not valid stops
    /// `init` with 78 and its problems as `config check` prints them, located, and nothing is written.
    @Test func bakeBesideAnInvalidKindCIYmlExits78() throws {
        let folder = try TemporaryFolder()
        let invalid = "deploy:\n  - manifests: k8s/\nwait: {timeout: soon}\n"
        try folder.write("kind-ci.yml", invalid)
        let environment: [String: String?] = ["KIND_CI_CONFIG": nil, "NO_COLOR": nil]
        let result = try KindCIBinary.run(["init", "gitlab", "--bake"], in: folder.url, environment: environment)
        #expect(result.status == ExitStatus.badConfiguration.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci.yml:3:17: error: wait.timeout: expected a duration"), "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci.yml:2:16: error: deploy[0].manifests: 'k8s/' does not exist"), "\(result.stderr)")
        #expect(result.stderr == (try KindCIBinary.run(["config", "check"], in: folder.url, environment: environment)).stderr)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["kind-ci.yml"])
        #expect(Self.contents(folder, "kind-ci.yml") == invalid)

        // From elsewhere, the file is named by the folder given.
        let path = folder.url.appendingPathComponent("kind-ci.yml").path
        let printed = try KindCIBinary.run(["init", "gitlab", "--bake", "--stdout", "--dir", folder.url.path], environment: environment)
        #expect(printed.status == ExitStatus.badConfiguration.rawValue, "\(printed.stderr)")
        #expect(printed.stdout.isEmpty)
        #expect(printed.stderr.contains("\(path):3:17: error: wait.timeout"), "\(printed.stderr)")
        #expect(printed.stderr == (try KindCIBinary.run(["config", "check", path], environment: environment)).stderr)
    }

    @Test func anUnsupportedKindImageIsBadConfiguration() throws {
        let result = try KindCIBinary.run(["init", "gitlab", "--kubernetes", "1.12", "--stdout"])
        #expect(result.status == ExitStatus.badConfiguration.rawValue)
        #expect(result.stderr.contains("Kubernetes 1.12 is not supported"))
    }

    /// Running `init` on the example app reproduces the committed example: the pipeline exactly,
    /// kind-ci.yml but for the `reports:` line the example uncomments.
    @Test(arguments: ["gitlab", "codeship"])
    func reproducesTheExample(host: String) throws {
        let example = Repository.root.appendingPathComponent("examples/\(host)")
        let folder = try TemporaryFolder()
        for item in ["hello", "k8s", "scripts"] {
            try FileManager.default.copyItem(at: example.appendingPathComponent(item), to: folder.url.appendingPathComponent(item))
        }
        let result = try KindCIBinary.run(["init", host], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
            .filter { $0.hasSuffix(".yml") }.sorted()
        for file in written {
            let committed = try String(contentsOf: example.appendingPathComponent(file), encoding: .utf8)
            let expected = file == "kind-ci.yml"
                ? committed.replacing("\n  reports: reports/*.xml", with: "\n  # reports: reports/*.xml") : committed
            #expect(Self.contents(folder, file) == expected, "examples/\(host)/\(file)")
        }
        #expect(written.contains("kind-ci.yml"))
    }
}
