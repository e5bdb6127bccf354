import Foundation

/// The container this process runs in, when it runs in one: Docker mounts `/etc/hostname` and
/// friends from `/var/lib/docker/containers/<id>/`, so the id shows in `/proc/self/mountinfo`.
enum OwnContainer {
    /// Candidate ids, most reliable first; the daemon decides which (if any) it knows.
    static func candidateIDs(mountinfo: String? = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
                             cgroup: String? = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
                             hostname: String = ProcessInfo.processInfo.hostName) -> [String] {
        var ids: [String] = []
        for text in [mountinfo, cgroup].compactMap({ $0 }) {
            for id in hexRuns(in: text) where !ids.contains(id) {
                ids.append(id)
            }
        }
        // Docker's default hostname is the short id.
        if hostname.count == 12, hostname.allSatisfy(\.isHexDigit), !ids.contains(where: { $0.hasPrefix(hostname) }) {
            ids.append(hostname)
        }
        return ids
    }

    /// 64-character hexadecimal runs following `containers/`, `docker/` or `docker-`.
    private static func hexRuns(in text: String) -> [String] {
        var found: [String] = []
        for marker in ["containers/", "docker/", "docker-"] {
            var rest = Substring(text)
            while let range = rest.range(of: marker) {
                let candidate = rest[range.upperBound...].prefix(64)
                if candidate.count == 64, candidate.allSatisfy(\.isHexDigit) {
                    found.append(String(candidate))
                }
                rest = rest[range.upperBound...]
            }
        }
        return found
    }

    /// This process's container as the daemon knows it, or nil when it runs on the daemon's host
    /// (or on another machine).
    static func find(on engine: DockerEngine) async -> ContainerDetails? {
        for id in candidateIDs() {
            if let details = try? await engine.container(id) { return details }
        }
        return nil
    }
}
