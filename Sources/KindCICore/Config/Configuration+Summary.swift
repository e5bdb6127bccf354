extension Configuration {
    /// One line that tells a reader what the file will make `run` do.
    public var summary: String {
        func count(_ number: Int, _ singular: String, _ plural: String) -> String {
            "\(number) \(number == 1 ? singular : plural)"
        }
        return [
            "kind \(kind.image)",
            count(build.count, "image to build", "images to build"),
            count(deploy.count, "deploy step", "deploy steps"),
            test.map { "tests: \($0.run)" } ?? "no tests",
        ].joined(separator: "; ")
    }
}
