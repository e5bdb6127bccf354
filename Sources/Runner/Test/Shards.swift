import Foundation
import KindCICore

/// Which of several parallel jobs this is (each with its own kind), and its share of the test
/// files: `KIND_CI_SHARD` (1-based) and `KIND_CI_SHARDS` when set, else the CI host's own
/// variables, else 1 of 1. Files are split by their sorted paths, one to each shard in turn, so
/// every job computes the same split and every file runs exactly once.
struct Shards: Equatable, Sendable {
    let index: Int
    let count: Int

    static let single = Shards(index: 1, count: 1)

    /// The hosts' own variables: (index, total, whether the index counts from 0).
    static let hostVariables: [(index: String, total: String, zeroBased: Bool)] = [
        ("CI_NODE_INDEX", "CI_NODE_TOTAL", false),                          // GitLab `parallel: N`
        ("CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", true),                   // CircleCI `parallelism`
        ("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", true),   // Buildkite `parallelism`
        ("BITBUCKET_PARALLEL_STEP", "BITBUCKET_PARALLEL_STEP_COUNT", true), // Bitbucket `parallel`
        ("SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE", false),    // Azure `parallel`
    ]

    static func from(environment: [String: String]) throws -> Shards {
        if environment["KIND_CI_SHARD"] != nil || environment["KIND_CI_SHARDS"] != nil {
            return try parse(environment["KIND_CI_SHARD"], environment["KIND_CI_SHARDS"], names: ("KIND_CI_SHARD", "KIND_CI_SHARDS"), zeroBased: false)
        }
        for host in hostVariables where environment[host.index] != nil && environment[host.total] != nil {
            return try parse(environment[host.index], environment[host.total], names: (host.index, host.total), zeroBased: host.zeroBased)
        }
        return .single
    }

    private static func parse(_ index: String?, _ total: String?, names: (String, String), zeroBased: Bool) throws -> Shards {
        guard let total = total.flatMap(Int.init), total >= 1,
              let position = index.flatMap(Int.init).map({ zeroBased ? $0 + 1 : $0 }), (1...total).contains(position) else {
            throw Problem("\(names.0)=\(index ?? "(unset)") and \(names.1)=\(total ?? "(unset)") do not name one of several jobs",
                          fix: "set both, the index \(zeroBased ? "from 0" : "from 1") and below or at the total",
                          status: .badConfiguration)
        }
        return Shards(index: position, count: total)
    }

    /// This shard's files among `files` (already sorted).
    func share(of files: [String]) -> [String] {
        files.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    /// The files under `directory` matching any of `patterns` (`tests/**/*_test.sh`: `**` is any
    /// number of folders, the rest as the shell matches), relative to it, sorted, each once.
    static func files(matching patterns: [String], in directory: String) -> [String] {
        var found: Set<String> = []
        for pattern in patterns {
            let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            let literal = segments.prefix { !Glob.isPattern($0) && $0 != "**" }
            let base = ([directory] + literal).joined(separator: "/")
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base, isDirectory: &isFolder) else { continue }
            if !isFolder.boolValue {
                if literal.count == segments.count { found.insert(literal.joined(separator: "/")) }
                continue
            }
            let rest = Array(segments.dropFirst(literal.count))
            let enumerator = FileManager.default.enumerator(atPath: base)
            while let relative = enumerator?.nextObject() as? String {
                if relative.hasSuffix(".git") || relative.hasPrefix(".kind-ci") { enumerator?.skipDescendants() }
                var isEntryFolder: ObjCBool = false
                FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isEntryFolder)
                guard !isEntryFolder.boolValue, matches(rest[...], relative.split(separator: "/").map(String.init)[...]) else { continue }
                found.insert((Array(literal) + [relative]).joined(separator: "/"))
            }
        }
        return found.sorted()
    }

    private static func matches(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            return matches(pattern.dropFirst(), path) || (!path.isEmpty && matches(pattern, path.dropFirst()))
        }
        guard let segment = path.first, fnmatch(first, segment, FNM_PERIOD) == 0 else { return false }
        return matches(pattern.dropFirst(), path.dropFirst())
    }
}
