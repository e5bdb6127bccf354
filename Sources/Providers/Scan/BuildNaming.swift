import KindCICore

/// Names each scaffolded build after the image the manifests run for it, so that the rewrite by
/// repository makes the pods run the build on the first try: the image the repository's tools
/// declare, else the manifest image whose last path segment is the service's name or ends in
/// `_<name>` or `-<name>` (`examplevotingapp_vote` for `vote/`), tagged `ci`. A build no manifest
/// image stands for keeps a readable name and says so.
struct BuildNaming {
    struct Build {
        var image: String
        var name: String?
        let context: String
        let dockerfile: String?
        var target: String?
        var args: [BuildArgument] = []
        var replaces: [String] = []
        /// Why the build is named as it is, when nothing deploys it.
        var comment: String?
    }

    static let tag = "ci"
    /// Folder names that say how a repository is laid out, not what a service is called.
    static let layoutFolders: Set<String> = ["src", "docker", "build", "deploy", "image", "images", "dockerfiles", "container", "containers"]

    let manifestImages: [ImageReference]
    private var claimed: Set<String> = []
    private var readableNames: Set<String> = []

    init(manifestImages: [String]) {
        self.manifestImages = manifestImages.compactMap { try? ImageReference.parse($0).get() }
    }

    /// The builds of a scan: declared ones first, then Dockerfiles no declared build covers.
    static func builds(_ scan: RepositoryScan, repositoryName: String) -> [Build] {
        var naming = BuildNaming(manifestImages: scan.manifestImages)
        var builds = scan.declared.map { naming.build(declared: $0) }
        let covered = Set(scan.declared.map { BuildEntry.dockerfilePath($0.dockerfile ?? "Dockerfile", inContext: $0.context) })
        for file in scan.dockerfiles where !covered.contains(file.path) {
            builds.append(naming.build(file, repositoryName: repositoryName))
        }
        return distinctVariables(builds)
    }

    private mutating func build(declared: DeclaredBuild) -> Build {
        var build = Build(image: "", context: declared.context, dockerfile: declared.dockerfile == "Dockerfile" ? nil : declared.dockerfile,
                          target: declared.target, args: declared.args)
        if let text = declared.image, let reference = try? ImageReference.parse(text).get() {
            build.image = "\(reference.repository):\(Self.tag)"
            claimed.insert(reference.canonicalRepository)
            if !manifestImages.contains(where: { $0.canonicalRepository == reference.canonicalRepository }) {
                // Declared under one name and deployed under another (a registry path): replaces:.
                if let deployed = manifestImages.first(where: { $0.lastPathSegment == reference.lastPathSegment && claim($0) }) {
                    build.replaces = [deployed.repository]
                } else {
                    build.comment = "no manifest found runs \(reference.repository), so nothing deploys this build yet"
                }
            }
            return build
        }
        name(&build, service: declared.service)
        return build
    }

    private mutating func build(_ file: RepositoryScan.Dockerfile, repositoryName: String) -> Build {
        var build = Build(image: "", context: file.folder.isEmpty ? "." : file.folder,
                          dockerfile: file.fileName == "Dockerfile" ? nil : file.fileName)
        let folders = file.folder.split(separator: "/").map(String.init)
        let service = folders.last { !Self.layoutFolders.contains($0.lowercased()) } ?? repositoryName
        let lowered = file.fileName.lowercased()
        let variant: String? = if lowered.hasPrefix("dockerfile.") {
            String(file.fileName.dropFirst("dockerfile.".count))
        } else if lowered.hasSuffix(".dockerfile") {
            String(file.fileName.dropLast(".dockerfile".count))
        } else {
            nil
        }
        let words = variant.map { $0.lowercased() == service.lowercased() ? [service] : [service, $0] } ?? [service]
        name(&build, service: words.joined(separator: "-"))
        return build
    }

    /// After the manifest image for `service`, else a readable unique name with a comment.
    private mutating func name(_ build: inout Build, service: String) {
        let wanted = ImageName.sanitized(service)
        let candidates = manifestImages.filter { image in
            let segment = ImageName.sanitized(image.lastPathSegment)
            return segment == wanted || segment.hasSuffix("-\(wanted)")
        }
        let exact = candidates.filter { ImageName.sanitized($0.lastPathSegment) == wanted }
        if let match = (exact + candidates).first(where: { claim($0) }) {
            build.image = "\(match.repository):\(Self.tag)"
            return
        }
        var name = wanted
        var counter = 2
        while readableNames.contains(name) || claimed.contains(name) {
            name = "\(wanted)-\(counter)"
            counter += 1
        }
        readableNames.insert(name)
        build.image = "\(name):\(Self.tag)"
        build.comment = "no manifest found runs an image named like \(service), so nothing deploys this build yet"
    }

    /// Takes `image`'s repository for one build; false when another build has it.
    private mutating func claim(_ image: ImageReference) -> Bool {
        claimed.insert(image.canonicalRepository).inserted
    }

    /// Two builds whose images end alike (`a/web`, `b/web`) would set one `KIND_CI_IMAGE_WEB`:
    /// the later ones get a `name:` of their own.
    private static func distinctVariables(_ builds: [Build]) -> [Build] {
        var used: Set<String> = []
        return builds.map { build in
            var build = build
            guard let reference = try? ImageReference.parse(build.image).get() else { return build }
            var entry = BuildEntry(image: reference)
            var counter = 2
            while used.contains(entry.environmentName) {
                entry.name = "\(ImageName.sanitized(reference.lastPathSegment))-\(counter)"
                counter += 1
            }
            used.insert(entry.environmentName)
            build.name = entry.name
            return build
        }
    }
}
