import Foundation
import KindCICore
import Runner

/// Where commands write: results to standard output, everything meant for a person reading the
/// log (progress, problems) to standard error, so that `--stdout`-style output stays pipeable.
enum Console {
    static func output(_ text: String) {
        write(text + "\n")
    }

    /// Text as it is, to standard output.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(SecretMask.process.mask(text).utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(SecretMask.process.mask(text + "\n").utf8))
    }

    /// The preview's warnings and notes, on standard error, as `run` says them: the warnings even
    /// with `--quiet`, since they are problems.
    static func warn(_ preview: DeployPreview, quiet: Bool) {
        let style = TerminalStyle.forDescriptor(STDERR_FILENO, environment: ProcessInfo.processInfo.environment)
        if !preview.warnings.isEmpty { error(Problem.warnings(preview.warnings, style: style)) }
        if !quiet { preview.notes.forEach { error("kind-ci: \($0)") } }
    }
}
