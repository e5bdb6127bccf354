import Foundation
import KindCICore

/// A path kind-ci was asked to write (`--artifacts` and what goes into it, `--kubeconfig`, a build
/// log): one that cannot be created or written is the user's to fix (73), named with the reason,
/// never an internal error.
enum OutputPath {
    static func writing<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem("cannot write \(path): \(reason(error, at: path))",
                          fix: "choose a place the job can write (check the folder's owner, permissions and free space)",
                          status: .cannotCreate)
        }
    }

    /// Why, in the system's words where Foundation kept them; else what stands in the way (a file
    /// where a folder must go, the usual case, for which Foundation on Linux says only "error 512").
    private static func reason(_ error: any Error, at path: String) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        // The path itself when it was to be a folder, else the folders above it.
        var folder = URL(fileURLWithPath: path)
        while folder.path != "/" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
                if !isFolder.boolValue { return "\(folder.path) is a file, not a folder" }
                break
            }
            folder.deleteLastPathComponent()
        }
        return error.localizedFailureReason ?? error.localizedDescription
    }
}
