import Testing
@testable import Runner

/// Docker's `.dockerignore` rules, case by case.
@Suite struct DockerIgnoreTests {
    @Test(arguments: [
        // pattern file, path, excluded?
        ("*.log", "app.log", true),
        ("*.log", "logs/app.log", false),
        ("**/*.log", "logs/deep/app.log", true),
        ("**/*.log", "app.log", true),
        ("logs", "logs/deep/app.log", true),
        ("/logs", "logs/app.log", true),
        ("./logs/", "logs/app.log", true),
        ("logs/**", "logs/a/b", true),
        ("logs/**", "logs", false),
        ("a/**/b", "a/b", true),
        ("a/**/b", "a/x/y/b", true),
        ("?.txt", "a.txt", true),
        ("?.txt", "ab.txt", false),
        ("[a-c].md", "b.md", true),
        ("[!a-c].md", "d.md", true),
        ("[!a-c].md", "a.md", false),
        ("*\n!keep.log", "keep.log", false),
        ("*.log\n!keep.log", "keep.log", false),
        ("*.log\n!keep.log\nkeep.log", "keep.log", true),
        ("# comment\n\n  spaced.txt  ", "spaced.txt", true),
        ("# comment", "# comment", false),
        ("node_modules", "node_modules/pkg/index.js", true),
        ("a.b", "aXb", false),
        ("data/../secret", "secret", true),
    ])
    func matchesLikeDocker(patterns: String, path: String, excluded: Bool) throws {
        #expect(try DockerIgnore(patterns).excludes(path) == excluded, "\(patterns.debugDescription) on \(path)")
    }

    @Test func theDockerfileAndDockerignoreAreAlwaysSent() throws {
        let ignore = try DockerIgnore("*\n").including([".dockerignore", "build/Dockerfile"])
        #expect(!ignore.excludes(".dockerignore"))
        #expect(!ignore.excludes("build/Dockerfile"))
        #expect(ignore.excludes("src/main.c"))
    }

    @Test func prunesOnlyFoldersNoExceptionCanReach() throws {
        #expect(try DockerIgnore("node_modules\n").prunes(folder: "node_modules"))
        #expect(try !DockerIgnore("node_modules\n!node_modules/keep\n").prunes(folder: "node_modules"))
        #expect(try !DockerIgnore("build\n!**/*.txt\n").prunes(folder: "build"))
    }
}
