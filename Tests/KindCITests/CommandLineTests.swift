import Foundation
import KindCICore
import Testing
import TestSupport

/// The built binary end to end: what a user sees on stdout and stderr, and the exit code.
@Suite struct CommandLineTests {
    static let validConfig = """
        kind: {image: bsycorp/kind:latest-1.23}
        deploy:
          - run: echo deployed
        test:
          run: ./test.sh
        """

    @Test func helpListsTheCommandsAndExitCodes() throws {
        let result = try KindCIBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: kind-ci"))
        #expect(result.stdout.contains("config"))
        let words = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("75 kind never became ready (retryable); 78 bad configuration"))
    }

    @Test func versionPrintsTheVersion() throws {
        let result = try KindCIBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test(arguments: [["frobnicate"], ["config", "frobnicate"], ["config", "check", "--no-such-flag"],
                      ["config", "check", "--verbose", "--quiet"]])
    func usageErrorsExit64(arguments: [String]) throws {
        let result = try KindCIBinary.run(arguments)
        #expect(result.status == ExitStatus.usage.rawValue)
        #expect(result.stderr.contains("Error:"))
        #expect(result.stderr.contains("Usage:") || result.stderr.contains("contradict"))
    }

    /// `--image` and `--timeout` are checked with the arguments, by every command that takes them:
    /// 64, the command's own usage, nothing started.
    @Test(arguments: [
        (["run", "--timeout", "5x"], "--timeout 5x is not a duration such as 90s, 20m or 1h30m."),
        (["bake", "--tag", "x", "--timeout", "5x"], "--timeout 5x is not a duration such as 90s, 20m or 1h30m."),
        (["run", "--up", "--image", "Bad_Name"], "--image Bad_Name is not an image name: 'Bad_Name' is not a valid repository name part"),
        (["up", "--image", "Bad_Name"], "--image Bad_Name is not an image name: 'Bad_Name' is not a valid repository name part"),
        (["bake", "--tag", "x", "--image", "Bad_Name"], "--image Bad_Name is not an image name: 'Bad_Name' is not a valid repository name part"),
    ])
    func badImageAndTimeoutOptionsExit64(arguments: [String], says expected: String) throws {
        let result = try KindCIBinary.run(arguments, environment: ReachingKindTests.noCI)
        #expect(result.status == ExitStatus.usage.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("Error: \(expected)"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: kind-ci \(arguments[0]) "), "\(result.stderr)")
    }

    @Test func checkAcceptsAValidFileWithOneLine() throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", Self.validConfig)
        let result = try KindCIBinary.run(["config", "check"], in: folder.url, environment: ["KIND_CI_CONFIG": nil])
        #expect(result.status == 0)
        #expect(result.stdout == """
            kind-ci.yml: OK: kind bsycorp/kind:latest-1.23; 0 images to build; 1 deploy step; tests: ./test.sh
            not checked (your commands): deploy[0]: echo deployed

            """)
        #expect(result.stderr.isEmpty)
    }

    @Test func checkIsSilentWithQuiet() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("ci/kind-ci.yml", Self.validConfig)
        let result = try KindCIBinary.run(["config", "check", "--quiet", file.path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    @Test func checkReadsTheFileKindCIConfigNames() throws {
        let folder = try TemporaryFolder()
        try folder.write("elsewhere.yml", "test: {run: ./t.sh}\n")
        let result = try KindCIBinary.run(["config", "check"], in: folder.url, environment: ["KIND_CI_CONFIG": "elsewhere.yml"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("elsewhere.yml: OK"))
    }

    @Test func checkReportsEveryProblemWithExit78() throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", """
            kind:
              imag: bsycorp/kind:latest-1.23
            wait: {timeout: soon}
            """)
        let result = try KindCIBinary.run(["config", "check"], in: folder.url, environment: ["KIND_CI_CONFIG": nil, "NO_COLOR": nil])
        #expect(result.status == ExitStatus.badConfiguration.rawValue)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            kind-ci.yml:2:3: error: kind: unknown key 'imag'
              2 |   imag: bsycorp/kind:latest-1.23
                |   ^~~~
              fix: did you mean 'image'? Allowed here: image, host, ports, timeouts.
            kind-ci.yml:3:17: error: wait.timeout: expected a duration such as '90s', '3m' or '1h30m', found 'soon'
              3 | wait: {timeout: soon}
                |                 ^~~~
              fix: write it as '90s', '3m' or '1h30m'
            kind-ci.yml: 2 problems

            """)
    }

    /// `KIND_CI_CONFIG=` (empty) names no file: every command that reads the configuration reads
    /// kind-ci.yml, as without the variable, and stops at its problems before anything else.
    @Test(arguments: [["config", "check"], ["config", "show"], ["run"], ["up"], ["bake", "--tag", "registry.example.com/kind:{hash}"]])
    func anEmptyKindCIConfigMeansKindCIYml(arguments: [String]) throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "kind:\n  imag: bsycorp/kind:latest-1.23\n")
        let result = try KindCIBinary.run(arguments, in: folder.url,
                                          environment: ReachingKindTests.noCI.merging(["KIND_CI_CONFIG": "", "NO_COLOR": nil]) { $1 })
        #expect(result.status == ExitStatus.badConfiguration.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci.yml:2:3: error: kind: unknown key 'imag'"), "\(result.stderr)")
    }

    /// Nor is the empty variable a named file that must exist: `up`, which works without a
    /// kind-ci.yml, goes on to the Docker daemon.
    @Test func upWithAnEmptyKindCIConfigNeedsNoKindCIYml() throws {
        let folder = try TemporaryFolder()
        let result = try KindCIBinary.run(["up"], in: folder.url, environment: ReachingKindTests.noCI.merging(["KIND_CI_CONFIG": ""]) { $1 })
        #expect(result.status != ExitStatus.badConfiguration.rawValue, "\(result.stderr)")
        #expect(!result.stderr.contains("kind-ci.yml"), "\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent.sock"), "\(result.stderr)")
    }

    @Test func checkOfAMissingFileSaysHowToCreateOne() throws {
        let folder = try TemporaryFolder()
        let result = try KindCIBinary.run(["config", "check"], in: folder.url, environment: ["KIND_CI_CONFIG": nil])
        #expect(result.status == ExitStatus.badConfiguration.rawValue)
        #expect(result.stderr.contains("kind-ci.yml: error: no such file"))
        #expect(result.stderr.contains("kind-ci init <host>"))
    }

    @Test func showPrintsTheDefaultsAndLoadsBack() throws {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", Self.validConfig)
        let shown = try KindCIBinary.run(["config", "show"], in: folder.url, environment: ["KIND_CI_CONFIG": nil])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("kubernetes: 6m"))
        try folder.write("shown.yml", shown.stdout)
        let again = try KindCIBinary.run(["config", "show", "shown.yml"], in: folder.url)
        #expect(again.stdout == shown.stdout)
    }
}

/// On Bitbucket, a step with the docker service and no DOCKER_HOST still finds the service's daemon
/// for `up` (and `run --up`, `down`), and says so.
@Suite struct BitbucketDockerServiceTests {
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/var/run/docker.sock"), "a local Docker socket would be used first"))
    func withoutDockerHostTheServicesAddressIsUsed() throws {
        let folder = try TemporaryFolder()
        let bitbucket = try KindCIBinary.run(["down"], in: folder.url,
                                             environment: ["DOCKER_HOST": nil, "KIND_CI_CONFIG": nil, "BITBUCKET_BUILD_NUMBER": "7"])
        #expect(bitbucket.stderr.contains("DOCKER_HOST is not set: using Bitbucket's docker service at tcp://localhost:2375"),
                "\(bitbucket.stderr)")
        #expect(bitbucket.status != ExitStatus.badConfiguration.rawValue, "\(bitbucket.stderr)")
        let elsewhere = try KindCIBinary.run(["down"], in: folder.url,
                                             environment: ["DOCKER_HOST": nil, "KIND_CI_CONFIG": nil, "BITBUCKET_BUILD_NUMBER": nil])
        #expect(elsewhere.status == ExitStatus.badConfiguration.rawValue, "\(elsewhere.stderr)")
        #expect(elsewhere.stderr.contains("no Docker daemon to start kind on"))
    }
}
