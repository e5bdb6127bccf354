import Foundation
import KindCICore
import NIOCore
import Testing
@testable import Runner

@Suite struct DockerLogStreamTests {
    @Test func joinsFramedStdoutAndStderr() {
        var buffer = ByteBuffer()
        for (stream, text) in [(UInt8(1), "out line\n"), (UInt8(2), "err line\n"), (UInt8(1), "")] {
            buffer.writeBytes([stream, 0, 0, 0])
            buffer.writeInteger(UInt32(text.utf8.count), endianness: .big)
            buffer.writeString(text)
        }
        #expect(DockerLogStream.text(of: buffer) == "out line\nerr line\n")
    }

    @Test func passesATerminalsRawTextThrough() {
        #expect(DockerLogStream.text(of: ByteBuffer(string: "plain text\n")) == "plain text\n")
    }
}

@Suite struct RunOptionsTests {
    @Test func mapsDockerCLIOptionsToHostConfig() throws {
        var host = ContainerSpec.HostConfig()
        #expect(host.MaskedPaths == nil && host.ReadonlyPaths == nil)
        try RunOptions.apply(["--cap-add=ALL", "--cap-drop=SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
                              "--security-opt=systempaths=unconfined",
                              "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs=/run", "--tmpfs=/tmp:exec"], to: &host)
        #expect(host.Privileged == false)
        #expect(host.CapAdd == ["ALL"])
        #expect(host.CapDrop == ["SYS_RESOURCE"])
        #expect(host.SecurityOpt == ["seccomp=unconfined"])
        // The CLI's own option, in the API's terms.
        #expect(host.MaskedPaths == [] && host.ReadonlyPaths == [])
        #expect(host.Binds == ["/sys/fs/cgroup:/sys/fs/cgroup:rw"])
        #expect(host.Tmpfs == ["/run": "", "/tmp": "exec"])
    }

    @Test(arguments: [["--network=host"], ["--cap-add"], ["-p", "2375:2375"]])
    func refusesWhatItCannotPassOn(options: [String]) {
        var host = ContainerSpec.HostConfig()
        #expect(throws: Problem.self) { try RunOptions.apply(options, to: &host) }
    }
}

@Suite struct OwnContainerTests {
    static let id = String(repeating: "ab12", count: 16)

    @Test func findsTheIdDockerMountsHostnameFrom() {
        let mountinfo = "812 790 0:52 / / rw,relatime - overlay overlay rw\n"
            + "830 812 254:1 /var/lib/docker/containers/\(Self.id)/hostname /etc/hostname rw - ext4 /dev/vda rw\n"
        #expect(OwnContainer.candidateIDs(mountinfo: mountinfo, cgroup: nil, hostname: "ci-runner") == [Self.id])
    }

    @Test func fallsBackToCgroupsAndTheShortHostname() {
        #expect(OwnContainer.candidateIDs(mountinfo: "", cgroup: "0::/system.slice/docker-\(Self.id).scope\n", hostname: "x") == [Self.id])
        #expect(OwnContainer.candidateIDs(mountinfo: "", cgroup: "0::/\n", hostname: "0123456789ab") == ["0123456789ab"])
        #expect(OwnContainer.candidateIDs(mountinfo: "", cgroup: "0::/\n", hostname: "my-laptop").isEmpty)
    }
}

@Suite struct RunDeadlineTests {
    @Test(arguments: [(3600, 300), (600, 60), (100, 30)])
    func keepsAMarginForReports(jobSeconds: Int, marginSeconds: Int) {
        #expect(RunDeadline.margin(forJobSeconds: jobSeconds) == .seconds(marginSeconds))
    }

    /// `--timeout`, then `timeout:`, then the job's timeout less the margin (cli-contract.md): a
    /// generated pipeline's KIND_CI_JOB_TIMEOUT never overrides the user's `timeout:`.
    @Test func theUsersSettingComesBeforeTheJobsTimeout() {
        let start = ContinuousClock.now
        var configuration = Configuration(directory: "/")
        configuration.timeout = .minutes(30)
        let gitLab = RunRequest(configPath: "kind-ci.yml", configNamed: false, environment: ["CI_JOB_TIMEOUT": "1200"])
        #expect(RunDeadline.overall(request: gitLab, configuration: configuration, start: start) == start + .seconds(1800))
        #expect(RunDeadline.outlastsTheJob(request: gitLab, configuration: configuration)?.contains("timeout: in kind-ci.yml 30m is longer") == true)
        var flag = RunRequest(configPath: "kind-ci.yml", configNamed: false, environment: ["KIND_CI_JOB_TIMEOUT": "1h"])
        flag.timeout = .minutes(10)
        #expect(RunDeadline.overall(request: flag, configuration: configuration, start: start) == start + .seconds(600))
        #expect(RunDeadline.outlastsTheJob(request: flag, configuration: configuration) == nil)
        let none = RunRequest(configPath: "kind-ci.yml", configNamed: false, environment: [:])
        #expect(RunDeadline.overall(request: none, configuration: Configuration(directory: "/"), start: start) == nil)
    }

    @Test func theJobsTimeoutFromEitherVariable() {
        let start = ContinuousClock.now
        let defaults = Configuration(directory: "/")
        func overall(_ environment: [String: String]) -> ContinuousClock.Instant? {
            RunDeadline.overall(request: RunRequest(configPath: "kind-ci.yml", configNamed: false, environment: environment),
                                configuration: defaults, start: start)
        }
        #expect(overall(["KIND_CI_JOB_TIMEOUT": "1h"]) == start + .seconds(3600 - 300))
        #expect(overall(["CI_JOB_TIMEOUT": "600"]) == start + .seconds(600 - 60))
        #expect(overall(["KIND_CI_JOB_TIMEOUT": "1h", "CI_JOB_TIMEOUT": "600"]) == start + .seconds(600 - 60))
        #expect(overall(["KIND_CI_JOB_TIMEOUT": "soon"]) == nil)
        #expect(RunDeadline.jobTimeoutProblem(["KIND_CI_JOB_TIMEOUT": "soon"])?.exitStatus == .badConfiguration)
        #expect(RunDeadline.jobTimeoutProblem(["KIND_CI_JOB_TIMEOUT": "45m"]) == nil)
    }
}

@Suite struct EnvFileTests {
    @Test func givesChildrenKindsDockerAndExtendsNoProxy() {
        let address = KindAddress(host: "kind", ports: KindPorts(), reason: "test")
        let file = EnvFile.forKind(at: address, environment: ["NO_PROXY": "localhost,.internal"])
        #expect(file.text == "DOCKER_HOST=tcp://kind:2375\nKIND_CI_HOST=kind\nNO_PROXY=localhost,.internal,kind\n")
        #expect(EnvFile.forKind(at: address, environment: ["NO_PROXY": "kind"]).text.hasSuffix("NO_PROXY=kind\n"))
    }

    /// `docker build` (`builder: cli`) reaches kind's docker as the other children do, BuildKit on.
    @Test func givesDockerBuildKindsPlainDocker() {
        let builder = CLIBuilder(dockerHost: "tcp://kind:2375", environment: ["PATH": "/bin", "DOCKER_TLS_VERIFY": "1"])
        #expect(builder.childEnvironment == ["DOCKER_HOST": "tcp://kind:2375", "DOCKER_BUILDKIT": "1",
                                             "DOCKER_TLS_VERIFY": nil, "DOCKER_CERT_PATH": nil, "DOCKER_CONTEXT": nil])
        #expect(CLIBuilder(dockerHost: "tcp://kind:2375", environment: [:]).childEnvironment["PATH"] == "/usr/local/bin:/usr/bin:/bin")
    }
}

@Suite struct KindCandidatesTests {
    @Test func followsTheContractsOrder() {
        var configuration = Configuration(directory: "/")
        configuration.kind.host = "from-file"
        #expect(KindCandidates.named(option: "opt", environment: ["KIND_CI_HOST": "env"], configuration: configuration)?.host == "opt")
        #expect(KindCandidates.named(option: nil, environment: ["KIND_CI_HOST": "env"], configuration: configuration)?.host == "env")
        #expect(KindCandidates.named(option: nil, environment: [:], configuration: configuration)?.host == "from-file")
        #expect(KindCandidates.named(option: nil, environment: [:], configuration: Configuration(directory: "/")) == nil)
        #expect(KindCandidates.detected(configuration: Configuration(directory: "/")).map(\.host)
            == ["kind", "bsycorp-kind", "bsycorp__kind", "localhost"])
    }

    @Test func namesGitLabGivesAServiceFromItsImage() throws {
        #expect(KindCandidates.gitLabServiceNames(try ImageReference.parse("registry.example.com:5000/ci/kind-baked:1").get())
            == ["registry.example.com-ci-kind-baked", "registry.example.com__ci__kind-baked"])
    }
}

@Suite struct KindDiagnosisTests {
    static func observed(_ outcomes: ProbeOutcome...) -> Observation {
        var observation = Observation()
        outcomes.forEach { observation.record($0) }
        return observation
    }

    static let kind = KindAddress(host: "kind", ports: KindPorts(), reason: "alias")
    static let localhost = KindAddress(host: "localhost", ports: KindPorts(), reason: "local")

    @Test func noNameResolved() {
        let diagnosis = KindDiagnosis.dockerNeverReady([(Self.kind, Self.observed(.failed(.unresolved)))], waited: .seconds(180), named: false)
        #expect(diagnosis.headline == "kind was not found in 3m00s: none of kind resolves.")
        #expect(diagnosis.explanation.joined(separator: " ").contains("Is the service alias right?"))
        #expect(diagnosis.exitStatus == .kindNotReady)
    }

    @Test func refusedThroughout() {
        let diagnosis = KindDiagnosis.dockerNeverReady(
            [(Self.kind, Self.observed(.failed(.unresolved))), (Self.localhost, Self.observed(.failed(.refused), .failed(.refused)))],
            waited: .seconds(5), named: false)
        #expect(diagnosis.headline == "kind is not running at localhost:10080: all 2 connections in 5.0s were refused.")
        #expect(diagnosis.explanation.joined(separator: " ").contains("privileged = true"))
    }

    @Test func answersButNeverDockerReady() {
        let diagnosis = KindDiagnosis.dockerNeverReady([(Self.kind, Self.observed(.failed(.refused), .absent))], waited: .seconds(5), named: true)
        #expect(diagnosis.headline.contains("answers, but never served docker-ready"))
    }
}

@Suite struct ProgressReporterTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ more: String) { lock.withLock { text += more } }
        var value: String { lock.withLock { text } }
    }

    @Test func writesGitLabSectionsAndEachStateOnce() async {
        let log = Log()
        let progress = ProgressReporter(style: .gitLab, write: log.append)
        await progress.begin("kind_ci_docker", "Waiting for kind's docker")
        await progress.update("refused")
        await progress.update("refused")
        await progress.update("ready")
        await progress.end(success: true, "ready")
        let text = log.value
        #expect(text.hasPrefix("\u{1B}[0Ksection_start:"))
        #expect(text.contains(":kind_ci_docker\r\u{1B}[0KWaiting for kind's docker\n"))
        #expect(text.components(separatedBy: "refused").count == 2)
        #expect(text.contains("\u{1B}[0Ksection_end:"))
    }

    @Test func writesGitHubGroups() async {
        let log = Log()
        let progress = ProgressReporter(style: .gitHub, write: log.append)
        await progress.begin("x", "Title")
        await progress.end(success: false, "failed")
        #expect(log.value.hasPrefix("::group::Title\n"))
        #expect(log.value.hasSuffix("::endgroup::\n"))
    }

    /// `tick` runs every second; it speaks only once the log has been silent for the interval.
    @Test func heartbeatsOnlyWhenTheLogHasBeenSilent() async {
        let silent = Log()
        let due = ProgressReporter(style: .plain, heartbeatInterval: .zero, write: silent.append)
        await due.begin("x", "Waiting")
        await due.update("kubernetes-ready: not yet (404)")
        await due.tick()
        #expect(silent.value.contains("still kubernetes-ready: not yet (404)"))

        let busy = Log()
        let notDue = ProgressReporter(style: .plain, heartbeatInterval: .seconds(3600), write: busy.append)
        await notDue.begin("x", "Waiting")
        await notDue.update("kubernetes-ready: not yet (404)")
        await notDue.tick()
        #expect(!busy.value.contains("still"))
    }
}

@Suite struct EnvFileLineTests {
    @Test func aValueCannotAddALine() {
        var file = EnvFile()
        file.set("NO_PROXY", "a\nEVIL=1")
        #expect(file.text == "NO_PROXY=aEVIL=1\n")
    }
}
