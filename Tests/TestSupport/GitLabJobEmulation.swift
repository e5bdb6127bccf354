import Foundation
import Yams

/// A GitLab Docker-executor job, emulated on the test dockerd from the `.gitlab-ci.yml` it reads:
/// a network per job; each service started with its alias and the names GitLab derives from its
/// image, with the service's variables and the job's (GitLab passes both); the job's image with
/// its entrypoint as written, the project at `/builds/<project>`, GitLab's predefined variables,
/// `before_script` and `script` under `set -e`, then `after_script`. The runner allows privileged
/// services, here with the options this sandbox takes instead of `--privileged`.
public struct GitLabJobEmulation {
    public struct Outcome: Sendable {
        /// The exit code of `before_script` + `script`.
        public let status: Int32
        public let output: String
        /// Each service's log, by its alias.
        public let serviceLogs: [String: String]
        /// `artifacts:paths` and `artifacts:reports:junit` entries that matched nothing.
        public let missingArtifacts: [String]
    }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    let project: URL
    let job: String
    let definition: Node.Mapping
    let global: Node.Mapping

    /// The job `name` of `project/.gitlab-ci.yml`.
    public init(project: URL, job name: String) throws {
        let text = try String(contentsOf: project.appendingPathComponent(".gitlab-ci.yml"), encoding: .utf8)
        guard let root = try Yams.compose(yaml: text)?.mapping, let job = root[name]?.mapping else {
            throw Problem(description: ".gitlab-ci.yml has no job \(name)")
        }
        self.project = project
        self.job = name
        definition = job
        global = root
    }

    /// The job's image, as the file names it.
    public var jobImage: String {
        definition["image"]?.string ?? definition["image"]?.mapping?["name"]?.string ?? "debian:12-slim"
    }

    /// The services' images, as the file names them.
    public var serviceImages: [String] {
        (definition["services"]?.sequence ?? []).compactMap { $0.string ?? $0.mapping?["name"]?.string }
    }

    /// GitLab's names for a service: its alias, and the image path with `/` as `-` and as `__`.
    static func hostnames(image: String, alias: String?) -> [String] {
        let path = String(image.split(separator: "@").first ?? "").split(separator: ":").first.map(String.init) ?? image
        return [alias].compactMap { $0 } + [path.replacing("/", with: "-"), path.replacing("/", with: "__")]
    }

    static func variables(_ node: Node?) -> [(String, String)] {
        (node?.mapping ?? [:]).compactMap { key, value in
            guard let name = key.string else { return nil }
            return (name, value.string ?? value.mapping?["value"]?.string ?? "")
        }
    }

    /// `30 minutes` as seconds.
    static func seconds(_ timeout: String?) -> Int {
        guard let timeout else { return 3600 }
        var total = 0
        let parts = timeout.split(separator: " ")
        for (number, unit) in zip(parts, parts.dropFirst()) {
            guard let value = Int(number) else { continue }
            total += unit.hasPrefix("h") ? value * 3600 : unit.hasPrefix("m") ? value * 60 : value
        }
        return total
    }

    public func run(extraJobVariables: [String: String] = [:]) throws -> Outcome {
        let id = UUID().uuidString.prefix(8).lowercased()
        let network = "gitlab-job-\(id)"
        var containers: [String] = []
        try TestDocker.docker(["network", "create", network])
        defer {
            if !containers.isEmpty { _ = try? TestDocker.docker(["rm", "-f"] + containers) }
            _ = try? TestDocker.docker(["network", "rm", network])
        }
        let jobVariables = Self.variables(global["variables"]) + Self.variables(definition["variables"])
            + extraJobVariables.sorted { $0.key < $1.key }
        let timeout = Self.seconds(definition["timeout"]?.string)
        let predefined: [(String, String)] = [
            ("CI", "true"), ("GITLAB_CI", "true"), ("CI_JOB_NAME", job), ("CI_JOB_STAGE", definition["stage"]?.string ?? "test"),
            ("CI_JOB_ID", "1\(id.filter(\.isNumber).prefix(6))"), ("CI_PROJECT_DIR", "/builds/project"),
            ("CI_JOB_TIMEOUT", String(timeout)), ("CI_JOB_URL", "https://gitlab.example.com/project/-/jobs/1"),
        ]
        var serviceLogs: [String: String] = [:]
        var aliases: [(container: String, alias: String)] = []
        for (index, service) in (definition["services"]?.sequence ?? []).enumerated() {
            let image = service.string ?? service.mapping?["name"]?.string ?? ""
            let alias = service.mapping?["alias"]?.string
            let names = Self.hostnames(image: image, alias: alias)
            let environment = (jobVariables + Self.variables(service.mapping?["variables"])).flatMap { ["-e", "\($0.0)=\($0.1)"] }
            let name = "gitlab-job-\(id)-service-\(index)"
            containers.append(name)
            try TestDocker.docker(["run", "-d", "--name", name, "--network", network] + names.flatMap { ["--network-alias", $0] }
                                  + environment + KindStandInImage.privilegedOptions + [image])
            aliases.append((name, names[0]))
        }
        // The job's container: its image, its entrypoint as written, the project mounted.
        let image = jobImage
        let entrypoint = definition["image"]?.mapping?["entrypoint"]?.sequence?.compactMap(\.string)
        let name = "gitlab-job-\(id)-build"
        containers.append(name)
        let environment = (predefined + jobVariables).flatMap { ["-e", "\($0.0)=\($0.1)"] }
        try TestDocker.docker(["run", "-d", "--name", name, "--network", network, "-v", "\(project.path):/builds/project",
                               "-w", "/builds/project"] + environment
                              + (entrypoint.map { ["--entrypoint", $0.first ?? ""] } ?? []) + [image, "sleep", "86400"])
        func shell(_ key: String) -> String {
            let lines = (definition[key]?.sequence ?? global[key]?.sequence ?? []).compactMap(\.string)
            return (["set -e"] + lines).joined(separator: "\n")
        }
        let script = try Command.run("/usr/bin/docker", ["exec", name, "sh", "-c",
                                                         shell("before_script") + "\n" + (definition["script"]?.sequence ?? []).compactMap(\.string).joined(separator: "\n")],
                                     environment: ["DOCKER_HOST": TestDocker.host])
        _ = try? Command.run("/usr/bin/docker", ["exec", "-e", "CI_JOB_STATUS=\(script.status == 0 ? "success" : "failed")", name, "sh", "-c", shell("after_script")],
                             environment: ["DOCKER_HOST": TestDocker.host])
        for (container, alias) in aliases {
            serviceLogs[alias] = (try? Command.run("/usr/bin/docker", ["logs", container], environment: ["DOCKER_HOST": TestDocker.host]))
                .map { $0.stdout + $0.stderr } ?? ""
        }
        // What GitLab would upload: every path and JUnit pattern must match something.
        let artifacts = definition["artifacts"]?.mapping
        let patterns = (artifacts?["paths"]?.sequence ?? []).compactMap(\.string)
            + (artifacts?["reports"]?.mapping?["junit"]?.sequence ?? []).compactMap(\.string)
        let missing = patterns.filter { pattern in
            let found = try? Command.run("/usr/bin/docker", ["exec", name, "sh", "-c", "ls -d \(pattern.replacing("**/", with: "")) >/dev/null 2>&1"],
                                        environment: ["DOCKER_HOST": TestDocker.host])
            return found?.status != 0
        }
        return Outcome(status: script.status, output: script.stdout + script.stderr, serviceLogs: serviceLogs, missingArtifacts: missing)
    }
}
