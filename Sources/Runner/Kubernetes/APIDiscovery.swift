import Foundation

/// One kind of object the API serves, as discovery describes it.
struct APIResource: Sendable, Hashable {
    /// `apps/v1`, or `v1` for the core group.
    let groupVersion: String
    let kind: String
    /// The plural in URLs: `deployments`.
    let name: String
    let namespaced: Bool
}

/// Which resource serves each apiVersion and kind, fetched from the API's discovery documents once
/// per group version and kept. A kind the cache lacks is looked up again, since a CRD applied a
/// moment ago adds kinds to a group version already read.
actor APIDiscovery {
    private let transport: KubernetesTransport
    private var groupVersions: [String: [APIResource]] = [:]

    init(transport: KubernetesTransport) {
        self.transport = transport
    }

    /// The resource for `kind` in `apiVersion`; nil when the API serves no such kind.
    func resource(apiVersion: String, kind: String, until deadline: ContinuousClock.Instant) async throws -> APIResource? {
        if let known = groupVersions[apiVersion]?.first(where: { $0.kind == kind }) { return known }
        let resources = try await fetch(apiVersion, until: deadline)
        groupVersions[apiVersion] = resources
        return resources.first { $0.kind == kind }
    }

    private func fetch(_ groupVersion: String, until deadline: ContinuousClock.Instant) async throws -> [APIResource] {
        let path = groupVersion.contains("/") ? "/apis/\(groupVersion)" : "/api/\(groupVersion)"
        let response = try await transport.sendRetrying(.GET, path, until: deadline)
        if response.status == 404 { return [] }
        let list = try KubernetesClient.decoded(response, path: path)
        // Subresources (`deployments/status`) are not kinds of objects one applies.
        return (list["resources"]?.array ?? []).compactMap { entry in
            guard let name = entry["name"]?.string, !name.contains("/"), let kind = entry["kind"]?.string else { return nil }
            return APIResource(groupVersion: groupVersion, kind: kind, name: name, namespaced: entry["namespaced"] == .bool(true))
        }
    }
}
