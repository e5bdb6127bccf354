import Testing
import KindCICore

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("example-app:ci", nil, "example-app", "ci"),
        ("bsycorp/kind:latest-1.23", nil, "bsycorp/kind", "latest-1.23"),
        ("localhost/app", "localhost", "app", nil),
        ("registry.example.com:5000/team/sub/app:1.2.3", "registry.example.com:5000", "team/sub/app", "1.2.3"),
        ("x/a__b.c-d---e:TAG_x.1", nil, "x/a__b.c-d---e", "TAG_x.1"),
    ] as [(String, String?, String, String?)])
    func parses(text: String, registry: String?, path: String, tag: String?) throws {
        let image = try ImageReference.parse(text).get()
        #expect(image.registry == registry)
        #expect(image.path == path)
        #expect(image.tag == tag)
        #expect(image.description == text)
    }

    @Test(arguments: ["", "App:ci", "app:", "app:-x", "app:.x", "a___b", "a._b", "-app", "app-", "app with space",
                      "app@sha256:xyz", "host:99999/app", "a//b", "app:" + String(repeating: "x", count: 129)])
    func refuses(text: String) {
        #expect(throws: ImageReferenceProblem.self) { try ImageReference.parse(text).get() }
    }

    @Test func hubRepositoryIgnoresDockerHubSpellings() throws {
        #expect(try ImageReference.parse("docker.io/library/nginx:1").get().hubRepository == "nginx")
        #expect(try ImageReference.parse("index.docker.io/bsycorp/kind:x").get().hubRepository == "bsycorp/kind")
        #expect(try ImageReference.parse("quay.io/bsycorp/kind:x").get().hubRepository == nil)
    }

    @Test(arguments: [("registry:5000/team/example-app:ci", nil, "EXAMPLE_APP"), ("app:ci", "my.app-2", "MY_APP_2")]
          as [(String, String?, String)])
    func environmentNameIsUpperCasedWithUnderscores(image: String, name: String?, expected: String) throws {
        var entry = BuildEntry(image: try ImageReference.parse(image).get())
        entry.name = name
        #expect(entry.environmentName == expected)
        #expect(entry.environmentVariable == "KIND_CI_IMAGE_\(expected)")
    }
}
