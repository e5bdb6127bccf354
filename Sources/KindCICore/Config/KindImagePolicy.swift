/// Which kind images kind-ci can work with (cli-contract.md, "Supported kind images").
public enum KindImagePolicy {
    public static let supportedMinors = 18...23

    /// Why `image` cannot be used, or nil. Only `bsycorp/kind` tags are judged: an image baked from
    /// one has a name of its own and the user vouches for its base.
    public static func problem(with image: ImageReference) -> (message: String, fix: String)? {
        guard image.hubRepository == "bsycorp/kind", image.digest == nil else { return nil }
        let newest = "bsycorp/kind:latest-1.\(supportedMinors.upperBound)"
        guard let tag = image.tag, tag != "latest" else {
            return ("'\(image)' does not say which Kubernetes it runs",
                    "name a version, e.g. '\(newest)' (supported: latest-1.\(supportedMinors.lowerBound) to latest-1.\(supportedMinors.upperBound))")
        }
        guard let minor = minorVersion(ofTag: tag) else {
            return ("'\(tag)' is not a bsycorp/kind tag kind-ci knows (latest-1.N or v1.N.P)",
                    "use e.g. '\(newest)'")
        }
        guard supportedMinors.contains(minor) else {
            return ("Kubernetes 1.\(minor) is not supported: kind-ci deploys with server-side apply, which images before 1.\(supportedMinors.lowerBound) do not have on by default",
                    "use 'bsycorp/kind:latest-1.\(supportedMinors.lowerBound)' or newer, e.g. '\(newest)'")
        }
        return nil
    }

    /// The Kubernetes line a bsycorp/kind image names (23 for `latest-1.23`); nil for other images,
    /// whose names say nothing kind-ci can rely on.
    public static func kubernetesLine(of image: ImageReference) -> Int? {
        guard image.hubRepository == "bsycorp/kind", image.digest == nil, let tag = image.tag else { return nil }
        return minorVersion(ofTag: tag)
    }

    /// The line of a version as the cluster reports it: 23 for `v1.23.10` (or `1.23.10+k3s1`).
    public static func kubernetesLine(ofVersion version: String) -> Int? {
        let parts = (version.hasPrefix("v") ? version.dropFirst() : Substring(version)).split(separator: ".")
        guard parts.count >= 2, parts[0] == "1" else { return nil }
        return Int(parts[1])
    }

    /// 23 for `latest-1.23` and `v1.23.10`.
    private static func minorVersion(ofTag tag: String) -> Int? {
        if tag.hasPrefix("latest-1.") {
            return Int(tag.dropFirst("latest-1.".count))
        }
        guard tag.hasPrefix("v1.") else { return nil }
        let parts = tag.dropFirst("v1.".count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, Int(parts[1]) != nil else { return nil }
        return Int(parts[0])
    }
}
