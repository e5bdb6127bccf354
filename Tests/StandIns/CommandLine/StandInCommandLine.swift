import Foundation

/// A stand-in's options read flag by flag: each stand-in switches over `next()` and asks
/// `value(of:)` for what a flag takes, so that a missing value reads the same in every one.
public struct FlagReader {
    private var remaining: IndexingIterator<ArraySlice<String>>

    /// `arguments` as `CommandLine.arguments` has them, the program's name first.
    public init(_ arguments: [String]) {
        remaining = arguments.dropFirst().makeIterator()
    }

    public mutating func next() -> String? {
        remaining.next()
    }

    public mutating func value(of flag: String) throws -> String {
        guard let value = remaining.next() else { throw UsageError("\(flag) needs a value") }
        return value
    }
}

/// A command line the stand-in cannot run with.
public struct UsageError: Error {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// The options `parse` reads, or, on a usage error, the reason on standard error and exit 64
/// (EX_USAGE), so that a test starting a stand-in wrongly sees why.
public func optionsOrExit<Options>(program: String, _ parse: () throws -> Options) rethrows -> Options {
    do {
        return try parse()
    } catch let error as UsageError {
        FileHandle.standardError.write(Data("\(program): \(error.message)\n".utf8))
        exit(64)
    }
}
