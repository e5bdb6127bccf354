import KindCICore
import Foundation
import Testing
import TestSupport
@testable import Runner

/// Test files split across parallel jobs: every file in exactly one shard, the same split in
/// every job, the shard taken from kind-ci's variables or the CI host's.
@Suite struct ShardsTests {
    @Test func threeShardsCoverEveryFileExactlyOnce() throws {
        let folder = try TemporaryFolder()
        let files = ["tests/a_test.sh", "tests/api/b_test.sh", "tests/api/deep/c_test.sh", "tests/d_test.sh", "tests/e_test.sh",
                     "tests/ui/f_test.sh", "tests/ui/g_test.sh"]
        for file in files + ["tests/helper.sh", "tests/.hidden_test.sh", "other/x_test.sh", "tests/api/readme_test.txt"] {
            try folder.write(file, "#!/bin/sh\n")
        }
        let all = Shards.files(matching: ["tests/**/*_test.sh"], in: folder.url.path)
        #expect(all == files.sorted())
        let shares = (1...3).map { Shards(index: $0, count: 3).share(of: all) }
        #expect(shares.flatMap { $0 }.sorted() == all)
        #expect(Set(shares.flatMap { $0 }).count == all.count)
        #expect(shares.map(\.count) == [3, 2, 2])
        // Every job computes the same split.
        #expect(Shards(index: 2, count: 3).share(of: Shards.files(matching: ["tests/**/*_test.sh"], in: folder.url.path)) == shares[1])
        // A plain path and a list of patterns, each file once.
        #expect(Shards.files(matching: ["other/x_test.sh", "tests/*_test.sh", "tests/a_test.sh"], in: folder.url.path)
            == ["other/x_test.sh", "tests/a_test.sh", "tests/d_test.sh", "tests/e_test.sh"])
    }

    @Test func theShardComesFromKindCIsVariablesOrTheHosts() throws {
        #expect(try Shards.from(environment: [:]) == .single)
        #expect(try Shards.from(environment: ["KIND_CI_SHARD": "2", "KIND_CI_SHARDS": "3", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "5"])
            == Shards(index: 2, count: 3))
        #expect(try Shards.from(environment: ["CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"]) == Shards(index: 3, count: 3))
        #expect(try Shards.from(environment: ["CIRCLE_NODE_INDEX": "0", "CIRCLE_NODE_TOTAL": "4"]) == Shards(index: 1, count: 4))
        #expect(try Shards.from(environment: ["BUILDKITE_PARALLEL_JOB": "1", "BUILDKITE_PARALLEL_JOB_COUNT": "2"]) == Shards(index: 2, count: 2))
        #expect(throws: Problem.self) { try Shards.from(environment: ["KIND_CI_SHARD": "4", "KIND_CI_SHARDS": "3"]) }
        #expect(throws: Problem.self) { try Shards.from(environment: ["KIND_CI_SHARD": "1"]) }
    }
}
