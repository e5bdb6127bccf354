import Crypto
import Foundation
import KindCICore

/// What `{hash}` in a bake's tag stands for: the base image (by its id, so a new push of the same
/// tag is a new base), the images baked in (sorted: their order does not matter) and the hooks.
/// The same inputs give the same tag, and an existing tag means no work.
enum BakeHash {
    static func of(baseImageID: String, images: [ImageReference], settings: BakeSettings) -> String {
        var lines = ["kind-ci bake 1", "base \(baseImageID)"] + images.map { "image \($0)" }.sorted()
        if let before = settings.before { lines.append("before \(before)") }
        if let after = settings.after { lines.append("after \(after)") }
        let digest = SHA256.hash(data: Data(lines.joined(separator: "\n").utf8))
        return digest.map { String(format: "%02x", $0) }.joined().prefix(12).description
    }
}
