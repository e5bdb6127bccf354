import KindCICore
import Testing

/// Which file a command reads: `--config`, else `KIND_CI_CONFIG`, else kind-ci.yml; an empty value
/// of either names nothing.
@Suite struct ConfigLocationTests {
    @Test(arguments: [
        (nil, [:], "kind-ci.yml", false),
        (nil, ["KIND_CI_CONFIG": ""], "kind-ci.yml", false),
        ("", ["KIND_CI_CONFIG": ""], "kind-ci.yml", false),
        ("", [:], "kind-ci.yml", false),
        (nil, ["KIND_CI_CONFIG": "ci/kind-ci.yml"], "ci/kind-ci.yml", true),
        ("", ["KIND_CI_CONFIG": "ci/kind-ci.yml"], "ci/kind-ci.yml", true),
        ("mine.yml", ["KIND_CI_CONFIG": "ci/kind-ci.yml"], "mine.yml", true),
    ] as [(String?, [String: String], String, Bool)])
    func resolves(explicit: String?, environment: [String: String], path: String, named: Bool) {
        let location = ConfigLocation(explicit: explicit, environment: environment)
        #expect(location.path == path)
        #expect(location.named == named)
    }
}
