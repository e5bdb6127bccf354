import KindCICore

/// Where the job reaches kind: a host and kind's three ports as seen from the job.
public struct KindAddress: Sendable, Equatable {
    public let host: String
    public let ports: KindPorts
    /// Why this address, for the log: "--host", "the service alias `kind`", ...
    public let reason: String

    public init(host: String, ports: KindPorts, reason: String) {
        self.host = host
        self.ports = ports
        self.reason = reason
    }

    var configEndpoint: String { "\(host.contains(":") ? "[\(host)]" : host):\(ports.config)" }
    var dockerEndpoint: DockerEndpoint { .plain(host: host, port: ports.docker) }
    var dockerHost: String { "tcp://\(host.contains(":") ? "[\(host)]" : host):\(ports.docker)" }
}
