import ArgumentParser
import KindCICore

/// What a shared option says in one command's help: the option and its checks are the same
/// everywhere, its default is the command's own.
protocol OptionHelp {
    static var help: ArgumentHelp { get }
}

/// `--image`: a kind image in place of `kind.image`, refused before the command runs when it is
/// not an image name.
struct KindImageOption<Help: OptionHelp>: ParsableArguments {
    @Option(help: Help.help)
    var image: String?

    func validate() throws {
        _ = try reference()
    }

    /// The image named, or nil for the configuration's.
    func reference() throws -> ImageReference? {
        guard let image else { return nil }
        switch ImageReference.parse(image) {
        case let .success(reference): return reference
        case let .failure(problem): throw ValidationError("--image \(image) is not an image name: \(problem.reason)")
        }
    }
}

/// `--timeout`: a command's whole deadline, refused before the command runs when it is not a
/// duration.
struct TimeoutOption<Help: OptionHelp>: ParsableArguments {
    @Option(help: Help.help)
    var timeout: String?

    func validate() throws {
        _ = try duration()
    }

    /// The deadline given, or nil for the command's default.
    func duration() throws -> ConfigDuration? {
        guard let timeout else { return nil }
        guard let duration = ConfigDuration(parsing: timeout) else {
            throw ValidationError("--timeout \(timeout) is not a duration such as 90s, 20m or 1h30m.")
        }
        return duration
    }
}

/// Options `run` shares with `up` for starting kind.
struct KindStartOptions: ParsableArguments {
    @OptionGroup var kindImage: KindImageOption<StartImageHelp>

    @Option(help: ArgumentHelp("The container's name (default: kind-ci, or kind-ci-<job container> inside a container).", valueName: "name"))
    var name: String?

    @Option(name: .customLong("run-option"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Replaces --privileged when given; repeatable; write it with '=': --run-option=--cap-add=ALL.", valueName: "option"))
    var runOptions: [String] = []
}

enum StartImageHelp: OptionHelp {
    static var help: ArgumentHelp {
        ArgumentHelp("The kind image to start (default: kind.image from the configuration).", valueName: "image")
    }
}
