/// A Docker image reference, `[registry[:port]/]path[:tag][@digest]`, checked by the grammar of the
/// Docker distribution reference format so that a bad name is caught in `kind-ci.yml` rather than by
/// a build that fails minutes later.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// `registry.example.com:5000`, or nil for Docker Hub.
    public let registry: String?
    /// `bsycorp/kind`, `example-app`.
    public let path: String
    public let tag: String?
    public let digest: String?

    /// The name without tag or digest, as Docker's API takes it (`fromImage`, `repo`).
    public var repository: String {
        registry.map { "\($0)/\(path)" } ?? path
    }

    public var description: String {
        var text = repository
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// The repository without a registry, with Docker Hub's `library/` and `docker.io` spelled out or
    /// not: `bsycorp/kind` for `docker.io/bsycorp/kind:x` and `bsycorp/kind:x` alike.
    public var hubRepository: String? {
        switch registry {
        case nil, "docker.io", "index.docker.io", "registry-1.docker.io":
            return path.hasPrefix("library/") ? String(path.dropFirst("library/".count)) : path
        default:
            return nil
        }
    }

    /// The last path segment: `example-app` for `registry:5000/team/example-app:ci`.
    /// The repository as Docker compares it: Docker Hub's spellings as one (`docker.io/library/x`
    /// is `x`), other registries as written.
    public var canonicalRepository: String {
        hubRepository ?? repository
    }

    public var lastPathSegment: String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    /// Parses `text`, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<ImageReference, ImageReferenceProblem> {
        guard !text.isEmpty else { return .failure(.init("the image name is empty")) }
        guard !text.contains(where: \.isWhitespace) else {
            return .failure(.init("an image name cannot contain spaces"))
        }
        var remainder = Substring(text)
        var digest: String?
        if let at = remainder.firstIndex(of: "@") {
            digest = String(remainder[remainder.index(after: at)...])
            remainder = remainder[..<at]
            guard let digest, isDigest(digest) else {
                return .failure(.init("'\(digest ?? "")' is not a digest such as sha256:<64 hex digits>"))
            }
        }
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false)
        var registry: String?
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" {
            guard isRegistry(first) else {
                return .failure(.init("'\(first)' is not a registry host such as registry.example.com:5000"))
            }
            registry = String(first)
            components.removeFirst()
        }
        var tag: String?
        if let last = components.last, let colon = last.lastIndex(of: ":") {
            let tagText = String(last[last.index(after: colon)...])
            guard isTag(tagText) else {
                return .failure(.init("'\(tagText)' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')"))
            }
            tag = tagText
            components[components.count - 1] = last[..<colon]
        }
        for component in components where !isPathComponent(component) {
            return .failure(.init("'\(component)' is not a valid repository name part (lower-case letters and digits, separated by '.', '_', '__' or '-')"))
        }
        return .success(ImageReference(registry: registry, path: components.joined(separator: "/"),
                                       tag: tag, digest: digest))
    }

    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }

    private static func isPathComponent(_ component: Substring) -> Bool {
        guard let first = component.first, let last = component.last,
              isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        var underscores = 0
        var previousWasSeparator = false
        for character in component {
            if isLowerAlphanumeric(character) {
                underscores = 0
                previousWasSeparator = false
            } else if character == "_" {
                underscores += 1
                // `_` and `__` separate; `___` or `._` do not.
                if underscores > 2 || (previousWasSeparator && underscores == 1) { return false }
                previousWasSeparator = true
            } else if character == "." {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else if character == "-" {
                // Any run of dashes is one separator.
                previousWasSeparator = true
            } else {
                return false
            }
        }
        return true
    }

    private static func isTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128, first != ".", first != "-" else { return false }
        return tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    private static func isRegistry(_ host: Substring) -> Bool {
        let parts = host.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.first, !name.isEmpty else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else { return false }
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-".contains($0)) }
    }

    private static func isDigest(_ digest: String) -> Bool {
        let parts = digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let algorithm = parts.first, let hex = parts.last,
              !algorithm.isEmpty, hex.count >= 32 else { return false }
        return algorithm.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "+._-".contains($0)) }
            && hex.allSatisfy(\.isHexDigit)
    }
}

public struct ImageReferenceProblem: Error, Sendable, Equatable {
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
