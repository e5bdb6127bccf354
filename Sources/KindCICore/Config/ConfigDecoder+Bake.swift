import Yams

/// `bake:`: the images to bake in besides the manifests', and the hooks around the bake.
extension ConfigDecoder {
    func readBake(_ node: Node) -> BakeSettings {
        var bake = BakeSettings()
        guard let fields = reader.mapping(node, "bake", keys: ["images", "before", "after"],
                                          example: "'bake: {images: [redis:7]}'") else { return bake }
        if let node = fields["images"] {
            let example = "'images: [redis:7, registry.example.com/team/tool:1.2]'"
            if let items = reader.sequence(node, "bake.images", example: example) {
                bake.images = items.enumerated().compactMap { index, item in readImage(item, "bake.images[\(index)]", example: example) }
            }
        }
        bake.before = fields["before"].flatMap { reader.string($0, "bake.before", example: "'before: ./scripts/bake-before.sh'") }
        bake.after = fields["after"].flatMap { reader.string($0, "bake.after", example: "'after: ./scripts/bake-after.sh'") }
        return bake
    }
}
