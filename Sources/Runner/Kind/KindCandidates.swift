import KindCICore

/// The addresses kind may be at, in cli-contract.md's order: `--host`, `KIND_CI_HOST`, `kind.host`,
/// else the names a job can see (probed together; the first whose endpoint answers wins).
enum KindCandidates {
    /// The one address the user named, or nil when kind-ci has to look.
    static func named(option: String?, environment: [String: String], configuration: Configuration) -> KindAddress? {
        let ports = configuration.kind.ports
        if let host = option, !host.isEmpty { return KindAddress(host: host, ports: ports, reason: "--host") }
        if let host = environment["KIND_CI_HOST"], !host.isEmpty {
            return KindAddress(host: host, ports: ports, reason: "KIND_CI_HOST")
        }
        if let host = configuration.kind.host { return KindAddress(host: host, ports: ports, reason: "kind.host in the configuration") }
        return nil
    }

    /// The names to try when none is given.
    static func detected(configuration: Configuration) -> [KindAddress] {
        let ports = configuration.kind.ports
        var addresses = [KindAddress(host: "kind", ports: ports, reason: "the service alias kind-ci init writes")]
        for name in gitLabServiceNames(configuration.kind.image) where !addresses.contains(where: { $0.host == name }) {
            addresses.append(KindAddress(host: name, ports: ports, reason: "GitLab's name for a \(configuration.kind.image.path) service"))
        }
        addresses.append(KindAddress(host: "localhost", ports: ports, reason: "a Kubernetes executor's pod, or ports published on this host",
                                     dockerPortIsKinds: false))
        return addresses
    }

    /// GitLab names a service after its image without the tag: `/` as `__`, and as `-`.
    static func gitLabServiceNames(_ image: ImageReference) -> [String] {
        let registry = image.registry.map { String($0.split(separator: ":").first ?? "") + "/" } ?? ""
        let repository = registry + image.path
        return [repository.replacing("/", with: "-"), repository.replacing("/", with: "__")]
    }
}
