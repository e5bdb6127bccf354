import KindCICore

/// Where the job reaches kind: a host and kind's three ports as seen from the job.
public struct KindAddress: Sendable, Equatable {
    public let host: String
    public let ports: KindPorts
    /// Why this address, for the log: "--host", "the service alias `kind`", ...
    public let reason: String
    /// Whether whatever answers on the docker port can only be kind's docker, so that its answer
    /// means kind's docker is up: true for a name that means kind (named by the user, `up`'s
    /// labels, the `kind` alias), false for `localhost`, where another daemon may listen.
    public let dockerPortIsKinds: Bool

    public init(host: String, ports: KindPorts, reason: String, dockerPortIsKinds: Bool = true) {
        self.host = host
        self.ports = ports
        self.reason = reason
        self.dockerPortIsKinds = dockerPortIsKinds
    }

    var configEndpoint: String { "\(host.contains(":") ? "[\(host)]" : host):\(ports.config)" }
    var dockerEndpoint: DockerEndpoint { .plain(host: host, port: ports.docker) }
    var dockerHost: String { "tcp://\(host.contains(":") ? "[\(host)]" : host):\(ports.docker)" }
}
