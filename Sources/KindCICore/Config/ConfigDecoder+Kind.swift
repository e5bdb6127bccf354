import Yams

/// `kind:`: the image (checked against the supported versions), host, ports and timeouts.
extension ConfigDecoder {
    func readKind(_ node: Node) -> KindSettings {
        var kind = KindSettings()
        guard let fields = reader.mapping(node, "kind", keys: ["image", "host", "ports", "timeouts"],
                                          example: "'kind: {image: bsycorp/kind:latest-1.23}'") else { return kind }
        if let node = fields["image"], let image = readImage(node, "kind.image") {
            if let problem = KindImagePolicy.problem(with: image) {
                reader.report(node, "kind.image", problem.message, fix: problem.fix)
            } else {
                kind.image = image
            }
        }
        if let node = fields["host"] { kind.host = readHost(node) }
        if let node = fields["ports"],
           let ports = reader.mapping(node, "kind.ports", keys: ["docker", "api", "config"],
                                      example: "'ports: {docker: 2375, api: 8443, config: 10080}'") {
            let defaults = KindPorts()
            if let node = ports["docker"], let port = reader.port(node, "kind.ports.docker", example: "'docker: \(defaults.docker)'") {
                kind.ports.docker = port
            }
            if let node = ports["api"], let port = reader.port(node, "kind.ports.api", example: "'api: \(defaults.api)'") {
                kind.ports.api = port
            }
            if let node = ports["config"], let port = reader.port(node, "kind.ports.config", example: "'config: \(defaults.config)'") {
                kind.ports.config = port
            }
        }
        if let node = fields["timeouts"],
           let timeouts = reader.mapping(node, "kind.timeouts", keys: ["docker", "kubernetes"],
                                         example: "'timeouts: {docker: 3m, kubernetes: 6m}'") {
            if let node = timeouts["docker"], let value = reader.duration(node, "kind.timeouts.docker") {
                kind.timeouts.docker = value
            }
            if let node = timeouts["kubernetes"], let value = reader.duration(node, "kind.timeouts.kubernetes") {
                kind.timeouts.kubernetes = value
            }
        }
        return kind
    }

    /// A bare host name or IP address: the scheme and ports have keys of their own.
    private func readHost(_ node: Node) -> String? {
        guard let host = reader.string(node, "kind.host", example: "'host: kind'") else { return nil }
        let allowed = host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:".contains($0)) }
        guard allowed, !host.contains("://") else {
            reader.report(node, "kind.host", "expected a host name or IP address, found '\(host)'",
                          fix: "write only the host, e.g. 'host: kind'; ports go under 'kind.ports'")
            return nil
        }
        return host
    }
}
