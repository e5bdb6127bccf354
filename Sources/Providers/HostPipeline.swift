import Foundation
import KindCICore

/// The hosts whose pipeline is one template per file with the same few values (ci-hosts.md):
/// GitHub, CircleCI, Travis, Bitbucket, Drone, Woodpecker, Buildkite and Azure. Each gets kind-ci
/// the same way: the runner image, pinned to the version that wrote the file (the job's image, or
/// a container started from the job with the Docker socket when the host has no job image).
struct HostPipeline {
    /// What differs between these hosts.
    struct Spec {
        /// Output path and template, per file.
        let files: [(path: String, template: String)]
        /// The job name's shape where the host restricts it (as a regular expression), and how to say so.
        let jobName: (pattern: String, rule: String)?
        /// Whether the host can run N copies of the job (`--parallel`).
        let parallel: Bool
        /// The job's timeout as kind-ci reads it (`KIND_CI_JOB_TIMEOUT`): the file's own timeout
        /// where the host has a key for it, else the host's documented limit, so that kind-ci ends
        /// and writes its reports before the host kills the job.
        let jobTimeout: String
        /// Where kind-ci leaves its reports when the host cannot read `.kind-ci/` (a hidden folder):
        /// a folder the host's test-report reader looks in.
        var artifacts: String?
    }

    /// What a job that starts kind-ci with `docker run` leaves out of the environment it passes on:
    /// what belongs to the machine, not to the tests (the paths, the user, the shell, the locale,
    /// Docker's own settings, which would point kind-ci at the machine's daemon, a kubeconfig of the
    /// machine, and the toolchains the host's image installs, whose folders the runner image lacks).
    static let machineVariables = ["PATH", "HOME", "HOSTNAME", "PWD", "OLDPWD", "SHELL", "SHLVL", "USER", "LOGNAME", "TERM", "TMPDIR",
                                   "_", "LANG", "LANGUAGE", "LC_.*", "MANPATH", "BASH_.*", "LD_.*", "DOCKER_.*", "SSH_.*", "XDG_.*",
                                   "KUBECONFIG", "JAVA_HOME", "GOROOT", "GOPATH", "GEM_HOME", "GEM_PATH", "rvm_.*", "NVM_.*", "PYENV_.*"]

    /// The names (no values: Docker takes them from the job's environment) of every exported
    /// variable but the machine's, for `docker run --env-file`.
    static let envFileCommand = "compgen -e | grep -vxE '\(machineVariables.joined(separator: "|"))' > /tmp/kind-ci.env"

    static func spec(_ provider: Provider) -> Spec {
        switch provider {
        case .github:
            Spec(files: [(".github/workflows/kind-ci.yml", "github/workflow.yml.mustache")],
                 jobName: ("^[A-Za-z_][A-Za-z0-9_-]*$", "a GitHub job id: letters, digits, '-' and '_', not starting with a digit or '-'"),
                 parallel: true, jobTimeout: "30m")
        case .circleci:
            Spec(files: [(".circleci/config.yml", "circleci/config.yml.mustache")],
                 jobName: ("^[A-Za-z0-9_-]+$", "a CircleCI job name: letters, digits, '-' and '_'"), parallel: true,
                 jobTimeout: "1h", artifacts: "test-results/kind-ci")
        case .travis:
            Spec(files: [(".travis.yml", "travis/travis.yml.mustache")], jobName: nil, parallel: false, jobTimeout: "50m")
        case .bitbucket:
            Spec(files: [("bitbucket-pipelines.yml", "bitbucket/bitbucket-pipelines.yml.mustache")], jobName: nil, parallel: false,
                 jobTimeout: "30m", artifacts: "test-results/kind-ci")
        case .drone:
            Spec(files: [(".drone.yml", "drone/drone.yml.mustache")], jobName: nil, parallel: false, jobTimeout: "60m")
        case .woodpecker:
            Spec(files: [(".woodpecker/kind-ci.yml", "woodpecker/kind-ci.yml.mustache")],
                 jobName: ("^[A-Za-z0-9_.-]+$", "a Woodpecker step name: letters, digits, '.', '-' and '_'"), parallel: false,
                 jobTimeout: "60m")
        case .buildkite:
            Spec(files: [(".buildkite/pipeline.yml", "buildkite/pipeline.yml.mustache"),
                         (".buildkite/docker-compose.kind-ci.yml", "buildkite/docker-compose.kind-ci.yml.mustache")],
                 jobName: nil, parallel: true, jobTimeout: "30m")
        case .azure:
            Spec(files: [("azure-pipelines.yml", "azure/azure-pipelines.yml.mustache")],
                 jobName: ("^[A-Za-z_][A-Za-z0-9_]*$", "an Azure job name: letters, digits and '_', not starting with a digit"),
                 parallel: true, jobTimeout: "30m")
        case .gitlab, .codeship:
            preconditionFailure("\(provider) has its own pipeline type")
        }
    }

    /// The values the templates use; every one is escaped by the renderer except the numbers.
    struct Context {
        let job: String
        let runnerImage: String
        let kindImage: String
        let parallel: Int?
        let jobTimeout: String
        /// The same as one shell word and as a command, for hosts that set variables in scripts
        /// (stored: the renderer reads stored values only).
        let jobTimeoutAssignment: String
        let exportJobTimeout: String
        /// `1, 2, 3`: a matrix of shard numbers.
        let shardList: String?
        /// For hosts without a job image: kind-ci's image run with the host's Docker socket, after
        /// the file of the job's variables' names is written.
        let dockerRun: String
        let envFileCommand = HostPipeline.envFileCommand
        /// `kind-ci run --up`, with the artifacts where the host reads them.
        let runUp: String
        let artifacts: String
        /// GitHub's expressions, handed in as values: `${{` would read as a template tag.
        let matrixShard = "${{ matrix.shard }}"
        let artifactName: String
        /// Where the repository is mounted in kind-ci's container when the job starts one.
        let workspace = "/workspace"
        /// `--bake` (GitHub): the bake job's output names the tests' kind image.
        let bake: Bool
        let kindServiceImage: String
        let bakeOutput = "${{ steps.bake.outputs.image }}"
        let githubActor = "${{ github.actor }}"
        let githubToken = "${{ secrets.GITHUB_TOKEN }}"
        let defaultBranch: String
        let bakeGate = "${{ !failure() && !cancelled() }}"
        /// With `--bake`: the baked image's registry credentials, empty (so no login at all) when the
        /// bake was skipped and the tests run on kind.image from its own registry.
        let bakeUser = "${{ needs.kind-ci-bake.outputs.image && github.actor || '' }}"
        let bakeToken = "${{ needs.kind-ci-bake.outputs.image && secrets.GITHUB_TOKEN || '' }}"
    }

    static func files(_ provider: Provider, _ options: PipelineOptions) throws -> [GeneratedFile] {
        let spec = spec(provider)
        if options.stage != nil {
            throw Problem.initRefuses("\(provider.displayName) has no stages in kind-ci's file", fix: "leave out --stage", exitStatus: .usage)
        }
        if options.bake, provider != .github {
            throw Problem.initRefuses("--bake is written for GitLab and GitHub only", fix: "leave out --bake; `kind-ci bake` itself runs anywhere",
                                      exitStatus: .usage)
        }
        if options.parallel != nil, !spec.parallel {
            throw Problem.initRefuses("kind-ci writes one \(provider.displayName) job",
                                      fix: "leave out --parallel; for several jobs set KIND_CI_SHARD and KIND_CI_SHARDS in each (see kind-ci's README, Sharding)",
                                      exitStatus: .usage)
        }
        // Azure's job names cannot hold the default's '-'.
        let job = provider == .azure && options.job == PipelineOptions.defaultJob ? "kubernetes_tests" : options.job
        guard !job.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem.initRefuses("the job name is empty", fix: "pass e.g. --job \(PipelineOptions.defaultJob)", exitStatus: .usage)
        }
        if let rule = spec.jobName, job.range(of: rule.pattern, options: .regularExpression) == nil {
            throw Problem.initRefuses("'\(job)' is not \(rule.rule)", fix: "pass e.g. --job \(PipelineOptions.defaultJob)", exitStatus: .usage)
        }
        // The host's Docker socket, the repository (expanded by the shell) and the job's environment
        // (the tests' secrets, REGISTRY*, the host's own and shard variables) go in.
        let runUp = ["kind-ci", "run", "--up"] + (spec.artifacts.map { ["--artifacts", $0] } ?? [])
        let dockerRun = [ShellWords.join(["docker", "run", "--rm", "-v", "/var/run/docker.sock:/var/run/docker.sock"]),
                         #"-v "$PWD:/workspace""#,
                         ShellWords.join(["-w", "/workspace", "--env-file", "/tmp/kind-ci.env", options.runnerImage] + runUp)]
            .joined(separator: " ")
        let context = Context(job: job, runnerImage: options.runnerImage, kindImage: options.kindImage.description,
                              parallel: options.parallel, jobTimeout: spec.jobTimeout,
                              jobTimeoutAssignment: "KIND_CI_JOB_TIMEOUT=\(spec.jobTimeout)",
                              exportJobTimeout: "export KIND_CI_JOB_TIMEOUT=\(spec.jobTimeout)",
                              shardList: options.parallel.map { (1...$0).map(String.init).joined(separator: ", ") },
                              dockerRun: dockerRun, runUp: ShellWords.join(runUp), artifacts: spec.artifacts ?? ".kind-ci",
                              artifactName: options.parallel == nil ? "kind-ci" : "kind-ci-${{ matrix.shard }}",
                              bake: options.bake,
                              kindServiceImage: options.bake ? "${{ needs.kind-ci-bake.outputs.image || '\(options.kindImage)' }}"
                                  : options.kindImage.description,
                              defaultBranch: options.defaultBranch ?? PipelineOptions.defaultBranchName)
        return try spec.files.map { file in
            GeneratedFile(path: file.path, contents: try TemplateRenderer.render(file.template, context))
        }
    }
}
