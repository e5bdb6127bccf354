import Foundation
import KindCICore

/// Where `run` stops early (`--until`): after that phase it writes and prints `.kind-ci/env`.
public enum RunStop: String, CaseIterable, Sendable, Comparable {
    case images
    case kubernetes
    case deploy
    case ready

    public static func < (lhs: RunStop, rhs: RunStop) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Everything `kind-ci run` (and `up`/`down`) was asked to do.
public struct RunRequest: Sendable {
    public var configPath: String
    /// True when the path was named (`--config`, `KIND_CI_CONFIG`; `ConfigLocation.named`): then it must exist.
    public var configNamed: Bool
    public var host: String?
    /// Where the kubeconfig goes (`--kubeconfig`); nil: `$KUBECONFIG`'s first entry, else ~/.kube/config.
    public var kubeconfig: String?
    public var artifacts: String
    public var timeout: ConfigDuration?
    public var until: RunStop?
    public var up = false
    public var keep = false
    public var image: ImageReference?
    public var name: String?
    public var runOptions: [String] = []
    public var environment: [String: String]
    public var verbose = false

    public init(configPath: String, configNamed: Bool, host: String? = nil, artifacts: String = ".kind-ci",
                timeout: ConfigDuration? = nil, until: RunStop? = nil, environment: [String: String]) {
        self.configPath = configPath
        self.configNamed = configNamed
        self.host = host
        self.artifacts = artifacts
        self.timeout = timeout
        self.until = until
        self.environment = environment
    }

    /// The configuration, or the defaults when no file was named and the default one is absent
    /// (`up` and `down` work without a kind-ci.yml).
    func configuration(required: Bool) throws -> Configuration {
        if !required, !configNamed, !FileManager.default.fileExists(atPath: configPath) {
            return Configuration(directory: FileManager.default.currentDirectoryPath)
        }
        return try ConfigLoader.load(path: configPath)
    }
}
