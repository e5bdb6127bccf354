import Yams

/// `test:`: the command, its reports, its timeout and the files shared across parallel jobs.
extension ConfigDecoder {
    func readTest(_ node: Node) -> TestSettings? {
        let example = "'test: {run: ./scripts/integration-test.sh}'"
        guard let fields = reader.mapping(node, "test", keys: ["run", "reports", "timeout", "shard"], example: example) else { return nil }
        guard let runNode = fields["run"] else {
            reader.report(node, "test", "missing 'run', the command that runs the tests", fix: "add e.g. 'run: ./scripts/integration-test.sh'")
            return nil
        }
        guard let run = reader.string(runNode, "test.run", example: "'run: ./scripts/integration-test.sh'") else { return nil }
        var test = TestSettings(run: run)
        if let node = fields["reports"] {
            test.reports = reader.strings(node, "test.reports", example: "'reports: reports/*.xml'") ?? []
            checkInside(test.reports, node, "test.reports")
        }
        if let node = fields["timeout"] {
            test.timeout = reader.duration(node, "test.timeout")
        }
        if let node = fields["shard"], let shard = reader.mapping(node, "test.shard", keys: ["files"], example: "'shard: {files: \"tests/**/*_test.sh\"}'") {
            if let files = shard["files"] {
                test.shardFiles = reader.strings(files, "test.shard.files", example: "'files: \"tests/**/*_test.sh\"'") ?? []
                checkInside(test.shardFiles, files, "test.shard.files")
            } else {
                reader.report(node, "test.shard", "missing 'files', the test files to split across the parallel jobs",
                              fix: "add e.g. 'files: \"tests/**/*_test.sh\"'")
            }
        }
        return test
    }
}
