import Foundation

/// Files kind-ci leaves in the artifacts: masked (`SecretMask.process`) whatever they hold, and
/// the diagnostics, which hold whatever the cluster's pods printed, readable by their owner only.
enum ArtifactFile {
    /// Writes `text`, masked, to `url` (its folders made first), replacing it whole.
    static func write(_ text: String, to url: URL, privately: Bool = true) throws {
        try write(Data(text.utf8), to: url, privately: privately)
    }

    /// Writes `data` (masked when it is text) to `url`.
    static func write(_ data: Data, to url: URL, privately: Bool) throws {
        try OutputPath.writing(url.path) { try replace(url, with: data, privately: privately) }
    }

    private static func replace(_ url: URL, with data: Data, privately: Bool) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: privately ? [.posixPermissions: 0o700] : nil)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).kind-ci-\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: SecretMask.process.mask(data),
                                             attributes: [.posixPermissions: privately ? 0o600 : 0o644]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        guard rename(temporary.path, url.path) == 0 else {
            let failure = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedFailureReasonErrorKey: failure])
        }
    }
}
