import Yams

extension Configuration {
    /// The configuration as `kind-ci.yml` text with every default spelt out: what `run` will do,
    /// and a file that loads back to an equal configuration.
    public func yamlText() throws -> String {
        try Yams.serialize(node: yamlNode, sortKeys: false)
    }

    var yamlNode: Node {
        var pairs: [(String, Node)] = [
            ("version", .number(Configuration.currentVersion)),
            ("kind", .pairs([
                ("image", .text(kind.image.description)),
                kind.host.map { ("host", .text($0)) },
                ("ports", .pairs([
                    ("docker", .number(kind.ports.docker)),
                    ("api", .number(kind.ports.api)),
                    ("config", .number(kind.ports.config)),
                ])),
                ("timeouts", .pairs([
                    ("docker", .text(kind.timeouts.docker.description)),
                    ("kubernetes", .text(kind.timeouts.kubernetes.description)),
                ])),
            ])),
        ]
        if !build.isEmpty { pairs.append(("build", Node(build.map(\.yamlNode)))) }
        pairs.append(("builder", .text(builder.rawValue)))
        pairs.append(("build_jobs", .number(buildJobs)))
        if !deploy.isEmpty { pairs.append(("deploy", Node(deploy.map(\.yamlNode)))) }
        pairs.append(("wait", .pairs([("timeout", .text(wait.timeout.description)), ("tolerate", .text(wait.tolerate.rawValue))])))
        if let test {
            pairs.append(("test", .pairs([
                ("run", .text(test.run)),
                test.reports.isEmpty ? nil : ("reports", Node(test.reports.map(Node.text))),
                test.timeout.map { ("timeout", .text($0.description)) },
                test.shardFiles.isEmpty ? nil : ("shard", .pairs([("files", Node(test.shardFiles.map(Node.text)))])),
            ])))
        }
        if let timeout { pairs.append(("timeout", .text(timeout.description))) }
        if allowOutside { pairs.append(("allow_outside", .scalar(true.represented()))) }
        if strictImages { pairs.append(("strict_images", .scalar(true.represented()))) }
        if !bake.isEmpty {
            pairs.append(("bake", .pairs([
                bake.images.isEmpty ? nil : ("images", Node(bake.images.map { Node.text($0.description) })),
                bake.before.map { ("before", .text($0)) },
                bake.after.map { ("after", .text($0)) },
            ])))
        }
        return .pairs(pairs)
    }
}

extension BuildEntry {
    var yamlNode: Node {
        .pairs([
            ("image", .text(image.description)),
            name.map { ("name", .text($0)) },
            ("context", .text(context)),
            ("dockerfile", .text(dockerfile ?? "Dockerfile")),
            args.isEmpty ? nil : ("args", .pairs(args.map { ($0.name, .text($0.value)) })),
            target.map { ("target", .text($0)) },
            labels.isEmpty ? nil : ("labels", .pairs(labels.map { ($0.name, .text($0.value)) })),
            builder.map { ("builder", .text($0.rawValue)) },
            cacheFrom.isEmpty ? nil : ("cache_from", Node(cacheFrom.map { Node.text($0.description) })),
            replaces.isEmpty ? nil : ("replaces", Node(replaces.map { Node.text($0.description) })),
            deployed ? nil : ("deployed", .scalar(false.represented())),
        ])
    }
}

extension DeployStep {
    var yamlNode: Node {
        switch self {
        case let .manifests(paths, namespace):
            .pairs([("manifests", Node(paths.map(Node.text))), namespace.map { ("namespace", .text($0)) }])
        case let .run(command): .pairs([("run", .text(command))])
        }
    }
}

private extension Node {
    /// A string, quoted whenever YAML would otherwise read it as something else (`~`, `1.0`, `yes`).
    static func text(_ value: String) -> Node { .scalar(value.represented()) }

    static func number(_ value: Int) -> Node { .scalar(value.represented()) }

    /// A mapping in the given order; nil entries are left out.
    static func pairs(_ entries: [(String, Node)?]) -> Node {
        Node(entries.compactMap { $0 }.map { (Node.text($0.0), $0.1) })
    }
}
