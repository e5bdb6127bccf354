import Foundation
import KindCICore
import Testing
import TestSupport
import Yams
@testable import Providers

/// The hosts of ci-hosts.md beyond GitLab and Codeship: each file passes the vendor's schema (and
/// actionlint for GitHub), says what ci-hosts.md says each host needs, and refuses what the host
/// would refuse.
@Suite struct HostPipelineTests {
    static let hosts: [Provider] = [.github, .circleci, .travis, .bitbucket, .drone, .woodpecker, .buildkite, .azure]

    /// The schema each generated file is checked with, by file name.
    static func schema(for path: String) -> String {
        switch path {
        case ".github/workflows/kind-ci.yml": "vendor.github-workflows"
        case ".circleci/config.yml": "vendor.circle-ci"
        case ".travis.yml": "vendor.travis"
        case "bitbucket-pipelines.yml": "vendor.bitbucket-pipelines"
        case ".drone.yml": "vendor.drone-ci"
        case ".woodpecker/kind-ci.yml": "vendor.woodpecker-ci"
        case ".buildkite/pipeline.yml": "vendor.buildkite"
        case ".buildkite/docker-compose.kind-ci.yml": "vendor.compose-spec"
        default: "vendor.azure-pipelines"
        }
    }

    /// Writes the files and checks each with its schema (GitHub's with actionlint too).
    static func validate(_ files: [[GeneratedFile]]) throws {
        let folder = try TemporaryFolder()
        var bySchema: [String: [URL]] = [:]
        var workflows: [URL] = []
        for (index, set) in files.enumerated() {
            for file in set {
                let url = try folder.write("\(index)/\(file.path)", file.contents)
                bySchema[schema(for: file.path), default: []].append(url)
                if file.path.hasPrefix(".github/") { workflows.append(url) }
            }
        }
        for (schema, urls) in bySchema {
            let outcome = try CheckJSONSchema.validate(urls, schema: schema)
            #expect(outcome.passed, "\(schema): \(outcome.output)")
        }
        if !workflows.isEmpty {
            let outcome = try CheckJSONSchema.actionlint(workflows)
            #expect(outcome.passed, "actionlint: \(outcome.output)")
        }
    }

    static func parsed(_ provider: Provider, _ options: PipelineOptions = PipelineOptions(), file index: Int = 0) throws -> Node.Mapping {
        let files = try provider.pipelineFiles(options)
        return try #require(try Yams.compose(yaml: files[index].contents)?.mapping)
    }

    @Test(arguments: hosts)
    func defaultCustomAndParallelFilesPassTheVendorsChecks(provider: Provider) throws {
        var sets = [try provider.pipelineFiles(PipelineOptions()),
                    try provider.pipelineFiles(PipelineOptions(kindImage: try PipelineOptions.kindImage(named: nil, kubernetes: "1.20"),
                                                               job: "integration", runnerImage: "registry.example.com/ci/runner:2.0"))]
        if HostPipeline.spec(provider).parallel {
            sets.append(try provider.pipelineFiles(PipelineOptions(parallel: 3)))
        }
        if provider == .github {
            sets.append(try provider.pipelineFiles(Self.baking))
        }
        try Self.validate(sets)
    }

    static var baking: PipelineOptions {
        var options = PipelineOptions()
        options.bake = true
        options.bakeWatch = ["kind-ci.yml", "k8s/**/*"]
        return options
    }

    /// `--bake`: the tests' kind is the bake job's output, pulled with GitHub's token, and the
    /// bake job pushes to GitHub's registry with it.
    @Test func githubBakesFirstAndRunsTheTestsOnTheResult() throws {
        let jobs = try #require(try Self.parsed(.github, Self.baking)["jobs"]?.mapping)
        let bake = try #require(jobs["kind-ci-bake"]?.mapping)
        #expect(bake["permissions"]?.mapping?["packages"]?.string == "write")
        #expect(bake["outputs"]?.mapping?["image"]?.string == "${{ steps.bake.outputs.image }}")
        let step = try #require(bake["steps"]?.sequence?.compactMap(\.mapping).first { $0["id"]?.string == "bake" })
        #expect(step["run"]?.string?.contains("kind-ci bake --tag \"ghcr.io/${GITHUB_REPOSITORY,,}/kind-ci-baked:{hash}\" --push") == true)
        #expect(step["env"]?.mapping?["REGISTRY_PASSWORD"]?.string == "${{ secrets.GITHUB_TOKEN }}")
        // A fork's pull request (no packages: write) skips the bake; the tests still run, on kind.image.
        #expect(bake["if"]?.string == "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository")
        let tests = try #require(jobs["kubernetes-tests"]?.mapping)
        #expect(tests["needs"]?.string == "kind-ci-bake")
        #expect(tests["if"]?.string == "${{ !failure() && !cancelled() }}")
        let kind = try #require(tests["services"]?.mapping?["kind"]?.mapping)
        #expect(kind["image"]?.string == "${{ needs.kind-ci-bake.outputs.image || 'bsycorp/kind:latest-1.23' }}")
        // No bake output, no credentials: the runner logs in only when both are set.
        #expect(kind["credentials"]?.mapping?["password"]?.string == "${{ needs.kind-ci-bake.outputs.image && secrets.GITHUB_TOKEN || '' }}")
        #expect(kind["credentials"]?.mapping?["username"]?.string == "${{ needs.kind-ci-bake.outputs.image && github.actor || '' }}")
    }

    /// Pushes run the tests on the default branch only (pull requests run every other change), so a
    /// pull request from the same repository is not run twice.
    @Test func githubRunsPushesOnTheDefaultBranchOnly() throws {
        func push(_ options: PipelineOptions) throws -> [String]? {
            try Self.parsed(.github, options)["on"]?.mapping?["push"]?.mapping?["branches"]?.array().compactMap(\.string)
        }
        #expect(try push(PipelineOptions()) == ["main"])
        var trunk = PipelineOptions()
        trunk.defaultBranch = "release/2.x"
        #expect(try push(trunk) == ["release/2.x"])
        #expect(try Self.parsed(.github)["on"]?.mapping?["pull_request"] != nil)
        var empty = PipelineOptions()
        empty.defaultBranch = " "
        #expect(throws: Problem.self) { try Provider.github.pipelineFiles(empty) }
        for other in Provider.allCases where other != .github {
            #expect(throws: Problem.self, "\(other)") { try other.pipelineFiles(trunk) }
        }
    }

    @Test(arguments: [Provider.circleci, .travis, .bitbucket, .drone, .woodpecker, .buildkite, .azure, .codeship])
    func otherHostsRefuseBake(provider: Provider) throws {
        #expect(throws: Problem.self) { try provider.pipelineFiles(Self.baking) }
    }

    /// The validators are real: a broken file fails them.
    @Test func theValidatorsRefuseBrokenFiles() throws {
        let folder = try TemporaryFolder()
        let workflow = try folder.write("w.yml", "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n        run: echo both\n")
        #expect(try !CheckJSONSchema.actionlint([workflow]).passed)
        let circle = try folder.write("c.yml", "version: 2.1\njobs:\n  j:\n    machine: yes\n    steps: [checkout]\n    parallelism: many\n")
        #expect(try !CheckJSONSchema.validate([circle], schema: "vendor.circle-ci").passed)
    }

    @Test func githubRunsKindAsAPrivilegedServiceWithAHealthCheck() throws {
        let root = try Self.parsed(.github)
        let job = try #require(root["jobs"]?.mapping?["kubernetes-tests"]?.mapping)
        #expect(job["container"]?.mapping?["image"]?.string == PipelineOptions.defaultRunnerImage)
        let kind = try #require(job["services"]?.mapping?["kind"]?.mapping)
        #expect(kind["image"]?.string == "bsycorp/kind:latest-1.23")
        let options = kind["options"]?.string ?? ""
        #expect(options.hasPrefix("--privileged"))
        #expect(options.contains("--health-cmd \"wget -q -O /dev/null http://127.0.0.1:10080/docker-ready\""))
        let steps = job["steps"]?.array() ?? []
        #expect(steps.contains { $0.mapping?["run"]?.string == "kind-ci run" })
        let upload = try #require(steps.last?.mapping)
        #expect(upload["if"]?.string == "always()")
        #expect(upload["with"]?.mapping?["include-hidden-files"]?.bool == true)

        let parallel = try #require(try Self.parsed(.github, PipelineOptions(parallel: 3))["jobs"]?.mapping?["kubernetes-tests"]?.mapping)
        #expect(parallel["strategy"]?.mapping?["matrix"]?.mapping?["shard"]?.array().compactMap(\.int) == [1, 2, 3])
        #expect(parallel["env"]?.mapping?["KIND_CI_SHARD"]?.string == "${{ matrix.shard }}")
        #expect(parallel["env"]?.mapping?["KIND_CI_SHARDS"]?.string == "3")
    }

    /// Hosts without privileged service containers start kind from the job, through kind-ci's image
    /// and the host's Docker socket.
    @Test(arguments: [Provider.circleci, .travis])
    func hostsWithoutPrivilegedServicesStartKindFromTheJob(provider: Provider) throws {
        let command = try #require(Self.strings(in: .mapping(try Self.parsed(provider, PipelineOptions(runnerImage: "my registry/runner:1"))))
            .first { $0.hasPrefix("docker run") })
        #expect(command.hasPrefix(#"docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/workspace" -w /workspace"#))
        #expect(command.contains(" --env-file /tmp/kind-ci.env 'my registry/runner:1' kind-ci run --up"))
        let strings = Self.strings(in: .mapping(try Self.parsed(provider)))
        let envFile = try #require(strings.firstIndex(of: HostPipeline.envFileCommand), "the names file is not written")
        #expect(envFile < (strings.firstIndex { $0.hasPrefix("docker run") } ?? -1))
        if provider == .circleci {
            #expect(command.hasSuffix(" kind-ci run --up --artifacts test-results/kind-ci"))
            let root = try Self.parsed(.circleci, PipelineOptions(parallel: 4))
            let job = try #require(root["jobs"]?.mapping?["kubernetes-tests"]?.mapping)
            #expect(job["machine"]?.mapping?["image"]?.string != nil)
            #expect(job["parallelism"]?.int == 4)
            // store_test_results cannot read a hidden folder.
            let steps = job["steps"]?.array().compactMap(\.mapping) ?? []
            #expect(steps.compactMap { $0["store_test_results"]?.mapping?["path"]?.string } == ["test-results"])
            #expect(steps.compactMap { $0["store_artifacts"]?.mapping?["path"]?.string } == ["test-results/kind-ci"])
        } else {
            #expect(command.hasSuffix(" kind-ci run --up"))
        }
    }

    /// Hosts that do not tell the job its timeout get it as KIND_CI_JOB_TIMEOUT, equal to the file's
    /// own timeout key where there is one, and it reaches kind-ci where the job starts it with
    /// `docker run`.
    @Test func everyFileTellsKindCITheJobsTimeout() throws {
        func variable(_ mapping: Node.Mapping?) -> String? { mapping?["KIND_CI_JOB_TIMEOUT"]?.string }
        let github = try #require(try Self.parsed(.github, PipelineOptions(parallel: 2))["jobs"]?.mapping?["kubernetes-tests"]?.mapping)
        #expect(variable(github["env"]?.mapping) == "\(github["timeout-minutes"]?.int ?? -1)m")
        #expect(github["env"]?.mapping?["KIND_CI_SHARDS"]?.string == "2")
        let azure = try #require(try Self.parsed(.azure)["jobs"]?.array().first?.mapping)
        #expect(variable(azure["variables"]?.mapping) == "\(azure["timeoutInMinutes"]?.string ?? "-")m")
        let buildkite = try #require(try Self.parsed(.buildkite)["steps"]?.array().first?.mapping)
        #expect(variable(buildkite["env"]?.mapping) == "\(buildkite["timeout_in_minutes"]?.int ?? -1)m")
        let compose = try Self.parsed(.buildkite, file: 1)["services"]?.mapping?["tests"]?.mapping
        #expect(compose?["environment"]?.array().compactMap(\.string).contains("KIND_CI_JOB_TIMEOUT") == true)
        let bitbucket = try #require(try Self.parsed(.bitbucket)["pipelines"]?.mapping?["default"]?.array().first?.mapping?["step"]?.mapping)
        #expect(bitbucket["script"]?.array().first?.string == "export KIND_CI_JOB_TIMEOUT=\(bitbucket["max-time"]?.int ?? -1)m")
        for provider in [Provider.drone, .woodpecker] {
            let step = try Self.parsed(provider)["steps"]?.array().first?.mapping
            #expect(variable(step?["environment"]?.mapping) == "60m", "\(provider)")
        }
        let circleci = try #require(try Self.parsed(.circleci)["jobs"]?.mapping?["kubernetes-tests"]?.mapping)
        #expect(variable(circleci["environment"]?.mapping) == "1h")
        let travis = try Self.parsed(.travis)
        #expect(travis["env"]?.mapping?["global"]?.array().compactMap(\.string) == ["KIND_CI_JOB_TIMEOUT=50m"])
        // CircleCI and Travis pass it into kind-ci's container with the rest of the job's variables.
        #expect(try Self.runEnvFileCommand(["KIND_CI_JOB_TIMEOUT": "1h"]).contains("KIND_CI_JOB_TIMEOUT"))
    }

    /// The file of names `docker run --env-file` reads, written by the command the CircleCI and
    /// Travis files run, in bash as both hosts do: `environment`'s names, no value, none of the
    /// machine's.
    static func runEnvFileCommand(_ environment: [String: String]) throws -> [String] {
        let folder = try TemporaryFolder()
        let command = HostPipeline.envFileCommand.replacing("/tmp/kind-ci.env", with: folder.url.appendingPathComponent("names").path)
        let machine = ["PATH": "/usr/bin:/bin", "HOME": "/root", "DOCKER_HOST": "unix:///var/run/docker.sock", "LD_PRELOAD": "x",
                       "KUBECONFIG": "/root/.kube/config", "SSH_AUTH_SOCK": "/tmp/agent", "JAVA_HOME": "/usr/lib/jvm/java-17",
                       "rvm_path": "/home/travis/.rvm", "LC_ALL": "C.UTF-8"]
        let result = try Command.run("/usr/bin/env", ["-i"] + machine.merging(environment) { $1 }.map { "\($0)=\($1)" }
                                     + ["/bin/bash", "-c", command])
        #expect(result.status == 0, "\(result.stderr)")
        return try String(contentsOf: folder.url.appendingPathComponent("names"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    @Test func kindCIsContainerGetsTheJobsVariablesByName() throws {
        let names = try Self.runEnvFileCommand(["API_TOKEN": "s3cr3t-value", "REGISTRY_PASSWORD": "hunter22", "CIRCLE_NODE_INDEX": "0",
                                                "TRAVIS_BRANCH": "main", "MULTI": "first\nSECOND=line"])
        #expect(Set(names).isSuperset(of: ["API_TOKEN", "REGISTRY_PASSWORD", "CIRCLE_NODE_INDEX", "TRAVIS_BRANCH", "MULTI"]), "\(names)")
        for machine in ["PATH", "HOME", "DOCKER_HOST", "LD_PRELOAD", "KUBECONFIG", "SSH_AUTH_SOCK", "PWD", "SHLVL", "_", "JAVA_HOME", "rvm_path", "LC_ALL"] {
            #expect(!names.contains(machine), "\(machine) is the machine's, not the tests'")
        }
        #expect(names.allSatisfy { !$0.contains("=") }, "values were written: \(names)")
        for host in [Provider.circleci, .travis] {
            let text = try host.pipelineFiles(PipelineOptions())[0].contents
            for variable in HostPipeline.machineVariables {
                #expect(text.contains(variable.replacing(".*", with: "*")), "\(host)'s comment does not name \(variable)")
            }
        }
    }

    @Test func bitbucketUsesRuntimeV3AndTheDockerService() throws {
        let root = try Self.parsed(.bitbucket)
        #expect(root["image"]?.string == PipelineOptions.defaultRunnerImage)
        let step = try #require(root["pipelines"]?.mapping?["default"]?.array().first?.mapping?["step"]?.mapping)
        #expect(step["runtime"]?.mapping?["cloud"]?.mapping?["version"]?.string == "3")
        #expect(step["services"]?.array().compactMap(\.string) == ["docker"])
        #expect(step["script"]?.array().compactMap(\.string) == ["export KIND_CI_JOB_TIMEOUT=30m", "kind-ci run --up --artifacts test-results/kind-ci"])
        // Bitbucket's report scanner reads folders named like test-results only.
        #expect(step["artifacts"]?.array().compactMap(\.string) == ["test-results/kind-ci/**"])
        #expect(step["max-time"]?.int == 30)
    }

    @Test(arguments: [Provider.drone, .woodpecker])
    func droneAndWoodpeckerRunKindAsAPrivilegedService(provider: Provider) throws {
        let root = try Self.parsed(provider)
        let kind = try #require(root["services"]?.array().first?.mapping)
        #expect(kind["name"]?.string == "kind")
        #expect(kind["privileged"]?.bool == true)
        let step = try #require(root["steps"]?.array().first?.mapping)
        #expect(step["image"]?.string == PipelineOptions.defaultRunnerImage)
        #expect(step["commands"]?.array().compactMap(\.string) == ["kind-ci run"])
    }

    @Test func buildkiteRunsTheComposeFilesServices() throws {
        let compose = try Self.parsed(.buildkite, file: 1)
        let services = try #require(compose["services"]?.mapping)
        #expect(services["kind"]?.mapping?["privileged"]?.bool == true)
        #expect(services["kind"]?.mapping?["userns_mode"]?.string == "host")
        #expect(services["tests"]?.mapping?["image"]?.string == PipelineOptions.defaultRunnerImage)
        let step = try #require(try Self.parsed(.buildkite)["steps"]?.array().first?.mapping)
        let plugin = try #require(step["plugins"]?.array().first?.mapping?["docker-compose#v5.5.0"]?.mapping)
        #expect(plugin["run"]?.string == "tests")
        #expect(plugin["config"]?.string == ".buildkite/docker-compose.kind-ci.yml")
        #expect(plugin["propagate-uid-gid"]?.bool == true)
        #expect(services["tests"]?.mapping?["environment"]?.array().compactMap(\.string).contains("HOME=/tmp") == true)
        #expect(step["command"]?.string == "kind-ci run --kubeconfig /tmp/kind-ci/kubeconfig")
        let retry = step["retry"]?.mapping?["automatic"]?.array().first?.mapping
        #expect(retry?["exit_status"]?.int == 75)
        #expect(try Provider.buildkite.pipelineFiles(PipelineOptions()).map(\.path)
            == [".buildkite/pipeline.yml", ".buildkite/docker-compose.kind-ci.yml"])
    }

    @Test func azureRunsAContainerJobWithKindAsAService() throws {
        let root = try Self.parsed(.azure)
        let containers = root["resources"]?.mapping?["containers"]?.array().compactMap(\.mapping) ?? []
        #expect(containers.first { $0["container"]?.string == "kind" }?["options"]?.string == "--privileged")
        let job = try #require(root["jobs"]?.array().first?.mapping)
        #expect(job["job"]?.string == "kubernetes_tests")
        #expect(job["container"]?.string == "kind_ci")
        #expect(job["services"]?.mapping?["kind"]?.string == "kind")
        // Re-running a failed job publishes under a new name (a name already published fails).
        let publish = job["steps"]?.array().compactMap(\.mapping).first { $0["publish"] != nil }
        #expect(publish?["artifact"]?.string == "kind-ci-$(System.JobPositionInPhase)-$(System.JobAttempt)")
    }

    /// Woodpecker allows a privileged service for a trusted repository *or* an image the server
    /// lists in WOODPECKER_PLUGINS_PRIVILEGED: either is enough, and the file and `init --list` say so.
    @Test func woodpeckerSaysEitherSettingIsEnough() throws {
        let file = try Provider.woodpecker.pipelineFiles(PipelineOptions())[0].contents
        #expect(file.contains("an admin marks the\n# repository trusted, or the server lists kind's image in WOODPECKER_PLUGINS_PRIVILEGED. Either is\n# enough."),
                "\(file)")
        #expect(Provider.woodpecker.needsFromUser.contains(", or kind's image in the server's WOODPECKER_PLUGINS_PRIVILEGED (either is enough)"))
    }

    @Test func refusesWhatTheHostCannotTake() {
        #expect(throws: Problem.self) { try Provider.github.pipelineFiles(PipelineOptions(job: "2fast")) }
        #expect(throws: Problem.self) { try Provider.azure.pipelineFiles(PipelineOptions(job: "with-dash")) }
        #expect(throws: Problem.self) { try Provider.circleci.pipelineFiles(PipelineOptions(job: "a b")) }
        #expect(throws: Problem.self) { try Provider.drone.pipelineFiles(PipelineOptions(parallel: 2)) }
        #expect(throws: Problem.self) { try Provider.travis.pipelineFiles(PipelineOptions(stage: "test")) }
    }

    /// Names a host takes as they are still come out as exactly those values, and still valid.
    @Test func hostileValuesStayValues() throws {
        let hostile = ["a: b # c", "quote\"s and 'single'", "ünïcödé 🚀", "yes", "123", "[x]", "*star", "$HOME"]
        var sets: [[GeneratedFile]] = []
        for value in hostile {
            for provider in [Provider.travis, .bitbucket, .drone, .buildkite] {
                let files = try provider.pipelineFiles(PipelineOptions(job: "job \(value)", runnerImage: "runner \(value)"))
                let root = try #require(try Yams.compose(yaml: files[0].contents)?.mapping)
                let values = Self.strings(in: .mapping(root))
                #expect(values.contains("job \(value)"), "\(provider): \(files[0].contents)")
                sets.append(files)
            }
        }
        try Self.validate(sets)
    }

    static func strings(in node: Node) -> [String] {
        switch node {
        case let .scalar(scalar): [scalar.string]
        case let .mapping(mapping): mapping.flatMap { strings(in: $0.key) + strings(in: $0.value) }
        case let .sequence(sequence): sequence.flatMap(strings)
        case .alias: []
        }
    }
}

/// What `init --bake` watches: a manifest folder (on disk, or written with `/`) as everything below
/// it, a file or pattern as written, whatever its suffix.
@Suite struct BakeWatchTests {
    @Test func foldersStandForTheirContentsAndFilesForThemselves() throws {
        let project = try TemporaryFolder()
        try project.write("k8s/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        try project.write("deploy/app.manifest", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
        try project.write("extra/crd.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
        try project.write("later/d.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n")
        let text = "deploy:\n  - manifests: [k8s, deploy/app.manifest, extra/*.yaml, later/]\n"
        let configuration = try ConfigLoader.decode(Data(text.utf8), path: "kind-ci.yml", directory: project.url)
        #expect(PipelineOptions.bakeWatch(configuration) == ["kind-ci.yml", "k8s/**/*", "deploy/app.manifest", "extra/*.yaml", "later/**/*"])
        #expect(PipelineOptions.bakeWatch(nil) == ["kind-ci.yml"])
    }
}
