import Foundation

enum FileManagerProbe {
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    static var currentDirectory: String { FileManager.default.currentDirectoryPath }
}
