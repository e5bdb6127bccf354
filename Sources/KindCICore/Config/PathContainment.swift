import Foundation

/// Whether a path of kind-ci.yml stays inside the folder that holds the file: a pipeline that
/// builds, deploys or publishes whatever `..`, an absolute path or a symbolic link points at could
/// reach any file of the job's machine (`allow_outside: true` lifts this).
public struct PathContainment: Sendable {
    /// The configuration's folder as written (kind-ci.yml may be reached through a link, and the
    /// paths made from it are then written so too) and with its links resolved.
    let writtenRoot: String
    let root: String
    /// The configuration file's name, for messages (`--config ci/kind.yml` is `kind.yml`).
    let fileName: String

    public init(directory: URL, fileName: String = ConfigLoader.defaultFileName) {
        writtenRoot = directory.standardizedFileURL.path
        root = Self.resolved(writtenRoot)
        self.fileName = fileName
    }

    /// Why `path` (relative to the folder, or absolute) leads outside it, or nil when it does not.
    /// A pattern is judged by its part before the first wildcard; what it matches by `escape(ofMatch:)`.
    public func escape(of path: String) -> String? {
        let fixed = Glob.isPattern(path) ? Self.fixedPrefix(of: path) : path
        let full = fixed.hasPrefix("/") ? fixed : root + "/" + fixed
        return escape(ofMatch: full)
    }

    /// Why the file or folder at the absolute `path` lies outside the folder, or nil.
    public func escape(ofMatch path: String) -> String? {
        let lexical = URL(fileURLWithPath: path).standardizedFileURL.path
        guard inside(lexical, root) || inside(lexical, writtenRoot) else { return "it is outside the folder holding \(fileName)" }
        let real = Self.resolved(lexical)
        guard inside(real, root) else { return "it leads through a symbolic link to \(real), outside the folder holding \(fileName)" }
        return nil
    }

    private func inside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }

    /// The path with every link resolved, as far as it exists (the rest appended as written).
    static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while !existing.isEmpty, existing != "/" {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                return ([String(cString: real)] + rest.reversed()).joined(separator: "/").replacing("//", with: "/")
            }
            rest.append((existing as NSString).lastPathComponent)
            existing = (existing as NSString).deletingLastPathComponent
        }
        return path
    }

    /// `k8s/**/*.yaml` → `k8s`; `*.yaml` → `.`.
    static func fixedPrefix(of pattern: String) -> String {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let fixed = components.prefix { !Glob.isPattern(String($0)) }
        let joined = fixed.joined(separator: "/")
        return joined.isEmpty ? (pattern.hasPrefix("/") ? "/" : ".") : joined
    }
}
