import Foundation
import Yams

/// The checks every path of kind-ci.yml gets: that it stays inside the file's folder (unless
/// `allow_outside`) and that it exists, relative to that folder.
extension ConfigDecoder {
    /// Whether `path` stays inside the configuration's folder (or may leave it); reports it when not.
    func staysInside(_ path: String, _ node: Node, _ subject: String) -> Bool {
        guard !allowOutside, let escape = containment.escape(of: path) else { return true }
        reader.report(node, subject, "'\(path)': \(escape)",
                      fix: "keep the paths of \(fileName) inside its folder, or add 'allow_outside: true' to it if the job really needs files from elsewhere")
        return false
    }

    /// `staysInside` for each of a list's items, located at the item (or the whole value when it is one string).
    func checkInside(_ paths: [String], _ node: Node, _ subject: String) {
        let nodes = node.sequence.map(Array.init) ?? [node]
        for (path, item) in zip(paths, nodes) { _ = staysInside(path, item, subject) }
    }

    func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
    }

    func exists(_ path: String, folder: Bool) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: resolve(path).path, isDirectory: &isFolder) && isFolder.boolValue == folder
    }

    func matchesSomething(_ path: String) -> Bool {
        Glob.isPattern(path) ? !Glob.matches(resolve(path).path).isEmpty
            : FileManager.default.fileExists(atPath: resolve(path).path)
    }
}
