import ArgumentParser

/// The options every command takes (cli-contract.md, "everywhere").
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Say more about what kind-ci does and why.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    func validate() throws {
        if verbose && quiet {
            throw ValidationError("--verbose and --quiet contradict each other; pass one of them.")
        }
    }
}
