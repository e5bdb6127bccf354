/// The parts of the Docker Engine API's JSON that kind-ci reads (API 1.40+, dockerd 19.03 on).
struct ContainerSummary: Decodable, Sendable {
    struct Port: Decodable, Sendable {
        let IP: String?
        let PrivatePort: Int
        let PublicPort: Int?
    }

    let Id: String
    let Names: [String]
    let Image: String
    let State: String
    let Status: String
    let Labels: [String: String]?
    let Ports: [Port]?

    /// Without the leading `/` the API puts on names.
    var name: String { Names.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? Id }
    var labels: [String: String] { Labels ?? [:] }
}

struct ContainerDetails: Decodable, Sendable {
    struct StateInfo: Decodable, Sendable {
        let Status: String
        let Running: Bool
        let ExitCode: Int
        let Error: String?
    }

    struct ConfigInfo: Decodable, Sendable {
        let Image: String
        let Labels: [String: String]?
    }

    struct Network: Decodable, Sendable {
        let IPAddress: String?
        let NetworkID: String?
    }

    struct NetworkSettingsInfo: Decodable, Sendable {
        let Networks: [String: Network]?
    }

    let Id: String
    let Name: String
    let State: StateInfo
    let Config: ConfigInfo
    let NetworkSettings: NetworkSettingsInfo
    let RestartCount: Int?

    var name: String { Name.hasPrefix("/") ? String(Name.dropFirst()) : Name }
    var labels: [String: String] { Config.Labels ?? [:] }
    var networks: [String: Network] { NetworkSettings.Networks ?? [:] }
}

/// What `POST /containers/create` takes, in the API's own field names.
struct ContainerSpec: Encodable, Sendable {
    struct PortBinding: Encodable, Sendable {
        let HostIp: String
        let HostPort: String
    }

    struct HostConfig: Encodable, Sendable {
        var Privileged = false
        var CapAdd: [String] = []
        var CapDrop: [String] = []
        var SecurityOpt: [String] = []
        var Binds: [String] = []
        var Tmpfs: [String: String] = [:]
        var PortBindings: [String: [PortBinding]] = [:]
        /// Empty for `--security-opt systempaths=unconfined`, which is the CLI's spelling of it.
        var MaskedPaths: [String]?
        var ReadonlyPaths: [String]?
    }

    struct EndpointSettings: Encodable, Sendable {
        let Aliases: [String]
    }

    struct NetworkingConfig: Encodable, Sendable {
        let EndpointsConfig: [String: EndpointSettings]
    }

    var Image: String
    var Env: [String] = []
    var Labels: [String: String] = [:]
    var ExposedPorts: [String: [String: String]] = [:]
    var HostConfig = HostConfig()
    var NetworkingConfig: NetworkingConfig?
}

struct APIErrorBody: Decodable {
    let message: String
}

struct CreatedContainer: Decodable {
    let Id: String
}
