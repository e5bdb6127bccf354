import KindCICore

/// `--run-option` values, docker CLI spelling, turned into the API's HostConfig. They replace
/// `--privileged` (for daemons that refuse it, as this project's own test sandbox does).
enum RunOptions {
    static func apply(_ options: [String], to host: inout ContainerSpec.HostConfig) throws {
        var iterator = options.makeIterator()
        while let option = iterator.next() {
            let (flag, inline) = split(option)
            func value() throws -> String {
                if let inline { return inline }
                guard let next = iterator.next() else { throw problem("\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--privileged": host.Privileged = true
            case "--cap-add": host.CapAdd.append(try value())
            case "--cap-drop": host.CapDrop.append(try value())
            case "--security-opt":
                let option = try value()
                if option == "systempaths=unconfined" {
                    // The CLI's own option: the API takes it as no masked and no read-only paths.
                    host.MaskedPaths = []
                    host.ReadonlyPaths = []
                } else {
                    host.SecurityOpt.append(option)
                }
            case "-v", "--volume": host.Binds.append(try value())
            case "--tmpfs":
                let mount = try value()
                let parts = mount.split(separator: ":", maxSplits: 1).map(String.init)
                host.Tmpfs[parts[0]] = parts.count > 1 ? parts[1] : ""
            default:
                throw problem("--run-option=\(option) is not one kind-ci can pass on")
            }
        }
    }

    private static func split(_ option: String) -> (String, String?) {
        guard let equals = option.firstIndex(of: "=") else { return (option, nil) }
        return (String(option[..<equals]), String(option[option.index(after: equals)...]))
    }

    private static func problem(_ message: String) -> Problem {
        Problem(message,
                fix: "use --privileged, --cap-add, --cap-drop, --security-opt, --volume or --tmpfs, e.g. --run-option=--cap-add=ALL",
                status: .usage)
    }
}
