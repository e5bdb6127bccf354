import Foundation
import KindCICore
import Yams

/// One object to apply, with where it came from for the log and for errors.
struct Manifest: Sendable {
    var object: JSON
    /// `k8s/app.yaml, document 2`.
    let source: String
    /// The file as the user would write it; nil for objects kind-ci makes itself.
    var file: String?
    /// The containers of its pods, after the image rewrite.
    var containers: [ContainerImage] = []

    init(object: JSON, source: String, file: String? = nil) {
        self.object = object
        self.source = source
        self.file = file
    }

    /// `deployment/web`, as kubectl names an object.
    var label: String { "\(object.kind.lowercased())/\(object.name)" }

    /// `k8s/app.yaml:12:16` for a spot in this object's file, else the source.
    func locate(_ position: SourcePosition?) -> String {
        guard let file, let position, position.line > 0 else { return source }
        return position.locating(file)
    }
}

/// Reads the `manifests:` of a deploy step as kubectl does (`-f`): files, folders (their `.yaml`,
/// `.yml` and `.json` files, not recursing) and globs; and `DIR/**`, every manifest file below
/// `DIR` (`ManifestPaths`); multi-document YAML; `List` kinds expanded.
/// Every problem of every file is reported in one go, located, before anything is applied.
struct ManifestReader {
    /// The configuration's folder: paths are relative to it.
    let directory: URL
    let images: BuiltImageReferences
    /// Where objects that name no namespace go.
    let namespace: String
    /// Files that lead outside `directory` are refused (kind-ci.yml checked the paths as written;
    /// a folder's entries and a pattern's matches are checked here), unless this is nil.
    var containment: PathContainment?
    /// The configuration file's name, for messages.
    var configFile = ConfigLoader.defaultFileName
    /// The largest manifest file read, as for kind-ci.yml's own cap but roomier (CRDs are large).
    static let maximumFileSize = 16 << 20
    /// Aliases can multiply a small file into a huge tree; objects beyond this are refused.
    static let nodeBudget = 200_000

    struct Result {
        var manifests: [Manifest] = []

        /// What was changed: `k8s/app.yaml:14:16: deployment/api container api: example-app:dev → example-app:ci`.
        var rewrites: [String] { manifests.flatMap(\.containers).compactMap(\.rewrite) }
    }

    func read(_ paths: [String]) throws -> Result {
        var result = Result()
        let (files, outside) = try files(paths)
        var problems = outside
        for file in files {
            do {
                try read(file, into: &result)
            } catch let error as ConfigProblems {
                problems.append(error)
            }
        }
        guard problems.isEmpty else { throw ManifestProblems(files: problems) }
        return result
    }

    /// The files the paths name, in order, each once; those that lead out of the folder apart, as
    /// problems, so that the other files' problems are found in the same round.
    private func files(_ paths: [String]) throws -> (inside: [String], outside: [ConfigProblems]) {
        var seen: Set<String> = []
        var files: [String] = []
        var outside: [ConfigProblems] = []
        func add(_ path: String) {
            if let escape = containment?.escape(ofMatch: path) {
                outside.append(ConfigProblems(file: display(path), source: "", diagnostics: [
                    ConfigDiagnostic(line: 0, column: 0, subject: "", message: "not read: \(escape)",
                                     fix: "keep the manifests inside that folder, or add 'allow_outside: true' to \(configFile) if the job really needs them"),
                ]))
                return
            }
            if seen.insert(path).inserted { files.append(path) }
        }
        for path in paths {
            let full = path.hasPrefix("/") ? path : directory.appendingPathComponent(path).path
            if ManifestPaths.isRecursive(path) {
                let base = ManifestPaths.base(ofRecursive: path)
                ManifestPaths.filesBelow(base.hasPrefix("/") ? URL(fileURLWithPath: base) : directory.appendingPathComponent(base)).forEach(add)
                continue
            }
            if Glob.isPattern(path) {
                Glob.matches(full).forEach(add)
                continue
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder) else {
                throw ManifestProblems(files: [ConfigProblems(file: path, source: "", diagnostics: [
                    ConfigDiagnostic(line: 0, column: 0, subject: "", message: "no such file or folder",
                                     fix: "paths in \(configFile)'s manifests are relative to the folder holding it"),
                ])])
            }
            if isFolder.boolValue {
                for entry in ManifestPaths.files(in: URL(fileURLWithPath: full)) {
                    add(URL(fileURLWithPath: full).appendingPathComponent(entry).path)
                }
            } else {
                add(full)
            }
        }
        return (files, outside)
    }

    /// The path as the user would write it: relative to the configuration's folder when inside it.
    private func display(_ file: String) -> String {
        let prefix = directory.standardizedFileURL.path + "/"
        return file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file
    }

    private func read(_ file: String, into result: inout Result) throws {
        let name = display(file)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigProblems(file: name, source: "", diagnostics: [
                ConfigDiagnostic(line: 0, column: 0, subject: "", message: "cannot be read", fix: "check the file's permissions"),
            ])
        }
        try parse(data, name: name, into: &result)
    }

    /// The objects of one file's `data`, named `name` in messages.
    func parse(_ data: Data, name: String, into result: inout Result) throws {
        func fail(_ message: String, fix: String, line: Int = 0, column: Int = 0, source: String = "") -> ConfigProblems {
            ConfigProblems(file: name, source: source, diagnostics: [ConfigDiagnostic(line: line, column: column, subject: "", message: message, fix: fix)])
        }
        guard data.count <= Self.maximumFileSize else {
            throw fail("is \(data.count >> 20) MiB; manifests larger than \(Self.maximumFileSize >> 20) MiB are refused",
                       fix: "split it into several files")
        }
        guard let text = String(validating: data, as: UTF8.self).map(ConfigLoader.withoutByteOrderMark) else {
            let invalid = ConfigLoader.firstInvalidUTF8(in: data)
            throw fail(String(format: "is not UTF-8: byte 0x%02X cannot start or continue a character here", invalid.byte),
                       fix: "save the file as UTF-8", line: invalid.line, column: invalid.column, source: String(decoding: data, as: UTF8.self))
        }
        var documents: [Node] = []
        var diagnostics: [ConfigDiagnostic] = []
        do {
            // The sequence stops at a syntax error and keeps it aside rather than throwing it; the
            // documents before it are still checked, so that one round shows every problem.
            var sequence = try Yams.compose_all(yaml: text)
            while let document = sequence.next() { documents.append(document) }
            if let error = sequence.error { throw error }
        } catch let error as YamlError {
            diagnostics.append(ConfigLoader.diagnostic(for: error, in: text))
        }
        var budget = Self.nodeBudget
        for (index, document) in documents.enumerated() {
            let label = "document \(index + 1)"
            var converter = NodeConverter(budget: budget)
            let json: JSON
            do {
                json = try converter.convert(document)
                budget = converter.budget
            } catch let problem as NodeConverter.Problem {
                diagnostics.append(ConfigDiagnostic(line: problem.mark?.line ?? 0, column: problem.mark?.column ?? 0, subject: label,
                                                    message: problem.message, fix: problem.fix))
                continue
            }
            if json == .null { continue }
            let objects: [(JSON, Node)]
            if json.kind.hasSuffix("List"), json.apiVersion == "v1", let items = json["items"]?.array {
                let itemNodes = document.mapping?["items"]?.sequence.map(Array.init) ?? []
                objects = zip(items, itemNodes).map { ($0, $1) }
            } else {
                objects = [(json, document)]
            }
            for (offset, (object, node)) in objects.enumerated() {
                let subject = objects.count == 1 && !json.kind.hasSuffix("List") ? label : "\(label), items[\(offset)]"
                if let problem = Self.identityProblem(object, node) {
                    diagnostics.append(ConfigDiagnostic(line: problem.mark?.line ?? 0, column: problem.mark?.column ?? 0, subject: subject,
                                                        message: problem.message, fix: problem.fix))
                    continue
                }
                var manifest = Manifest(object: object, source: "\(name), \(subject)", file: name)
                images.rewrite(&manifest, node: node)
                if manifest.object.namespace == nil, Self.isNamespaced(manifest.object) {
                    var metadata = manifest.object["metadata"] ?? .object([:])
                    metadata["namespace"] = .string(namespace)
                    manifest.object["metadata"] = metadata
                }
                result.manifests.append(manifest)
            }
        }
        if !diagnostics.isEmpty {
            throw ConfigProblems(file: name, source: text, diagnostics: diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
    }

    /// Kinds that live outside namespaces, so no namespace is added to them. Custom resources are
    /// taken as namespaced unless their CRD says otherwise, which the apply finds out.
    static let clusterScopedKinds: Set<String> = [
        "Namespace", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
        "PriorityClass", "IngressClass", "CSIDriver", "CSINode", "VolumeAttachment", "RuntimeClass", "APIService",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "PodSecurityPolicy", "CertificateSigningRequest",
    ]

    static func isNamespaced(_ object: JSON) -> Bool {
        !clusterScopedKinds.contains(object.kind)
    }

    /// A document every Kubernetes object needs: apiVersion, kind and metadata.name as strings.
    private static func identityProblem(_ object: JSON, _ node: Node) -> (mark: Mark?, message: String, fix: String)? {
        let mark = node.mark
        guard object.object != nil else {
            return (mark, "expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found \(describe(object))",
                    "each document between '---' lines is one object")
        }
        for field in ["apiVersion", "kind"] where object[field]?.string?.isEmpty ?? true {
            return (node.mapping?[field]?.mark ?? mark, "'\(field)' is missing or not a string",
                    "add e.g. 'apiVersion: apps/v1' and 'kind: Deployment'")
        }
        if object[path: "metadata", "name"]?.string?.isEmpty ?? true {
            let at = node.mapping?["metadata"]?.mark ?? mark
            return (at, "\(object.kind) has no metadata.name", "add 'metadata: {name: ...}' (server-side apply needs a name; generateName is not enough)")
        }
        return nil
    }

    private static func describe(_ value: JSON) -> String {
        switch value {
        case .array: "a list"
        case .string: "a string"
        case .int, .double: "a number"
        case .bool: "a boolean"
        case .null: "nothing"
        case .object: "a mapping"
        }
    }
}

/// Every manifest file with problems, each with its own located report (exit 78).
struct ManifestProblems: UserFacingError {
    let files: [ConfigProblems]

    var problem: Problem {
        Problem.together(files.map(\.problem)) ?? Problem("the manifests could not be read", status: .badConfiguration)
    }
}

/// YAML nodes as the JSON the API takes, resolving plain scalars the way kubectl's YAML reader
/// does (YAML 1.1: `yes` is a boolean, `010` a number) and keeping quoted ones as strings.
struct NodeConverter {
    private(set) var budget: Int

    init(budget: Int) {
        self.budget = budget
    }

    struct Problem: Error {
        let mark: Mark?
        let message: String
        let fix: String
    }

    mutating func convert(_ node: Node) throws -> JSON {
        budget -= 1
        guard budget >= 0 else {
            throw Problem(mark: node.mark, message: "expands to more than \(ManifestReader.nodeBudget) values (aliases?)",
                          fix: "write the objects out rather than repeating them through anchors and aliases")
        }
        switch node {
        case let .scalar(scalar):
            return Self.scalar(scalar, node)
        case let .sequence(sequence):
            return .array(try sequence.map { try convert($0) })
        case let .mapping(mapping):
            var fields: [String: JSON] = [:]
            for (key, value) in MergeKeys.entries(of: mapping) {
                guard let name = key.scalar?.string else {
                    throw Problem(mark: key.mark, message: "a mapping key must be a string", fix: "quote the key")
                }
                fields[name] = try convert(value)
            }
            return .object(fields)
        case let .alias(alias):
            throw Problem(mark: alias.mark, message: "an alias that refers to nothing", fix: "define the anchor before using it")
        }
    }

    private static func scalar(_ scalar: Node.Scalar, _ node: Node) -> JSON {
        switch Resolver.default.resolveTag(of: node) {
        case .null: return .null
        case .bool: return node.bool.map(JSON.bool) ?? .string(scalar.string)
        case .int: return node.int.map(JSON.int) ?? .string(scalar.string)
        case .float: return node.float.map(JSON.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }
}
