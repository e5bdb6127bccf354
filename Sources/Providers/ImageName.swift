/// Image and release names from arbitrary folder names: lower-case letters and digits joined by
/// single dashes, as both Docker repositories and Kubernetes object names accept.
enum ImageName {
    static func sanitized(_ text: String) -> String {
        let mapped = text.lowercased().unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)) ? Character(scalar) : "-"
        }
        let words = String(mapped).split(separator: "-")
        return words.isEmpty ? "app" : words.joined(separator: "-")
    }
}
