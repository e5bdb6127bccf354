/// One problem found in a configuration file: where, what was expected, and how to fix it.
public struct ConfigDiagnostic: Sendable, Equatable {
    /// 1-based line and column (columns count Unicode scalars, as libyaml does); line 0 means the
    /// whole file.
    public let line: Int
    public let column: Int
    /// How many columns to underline; at least 1.
    public let length: Int
    /// The object the problem is about, in the file's own terms: `build[1].context`.
    public let subject: String
    public let message: String
    public let fix: String?

    public init(line: Int, column: Int, length: Int = 1, subject: String, message: String, fix: String?) {
        self.line = line
        self.column = column
        self.length = max(1, length)
        self.subject = subject
        self.message = message
        self.fix = fix
    }
}

/// Every problem of one file, thrown as one error so that the user fixes them all in one round.
public struct ConfigProblems: UserFacingError, Equatable {
    /// The path as the user gave it, so that editors and CI logs can link it.
    public let file: String
    public let diagnostics: [ConfigDiagnostic]
    let sourceLines: [Substring]

    public init(file: String, source: String, diagnostics: [ConfigDiagnostic]) {
        self.file = file
        self.diagnostics = diagnostics
        sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    public var problem: Problem {
        let findings = diagnostics.map { diagnostic in
            let position = diagnostic.line > 0 ? "\(file):\(diagnostic.line):\(diagnostic.column)" : file
            let subject = diagnostic.subject.isEmpty ? "" : "\(diagnostic.subject): "
            return Problem.Finding(origin: .location(position), headline: subject + diagnostic.message,
                                   details: excerpt(for: diagnostic), fix: diagnostic.fix)
        }
        let count = diagnostics.count == 1 ? "1 problem" : "\(diagnostics.count) problems"
        return Problem(findings: findings, notes: ["\(file): \(count)"], status: .badConfiguration)
    }

    /// The offending line with a caret under the spot, in a numbered gutter.
    private func excerpt(for diagnostic: ConfigDiagnostic) -> [String] {
        guard diagnostic.line >= 1, diagnostic.line <= sourceLines.count else { return [] }
        let text = sourceLines[diagnostic.line - 1].replacing("\r", with: "")
        let number = String(diagnostic.line)
        let gutter = String(repeating: " ", count: number.count)
        // Keep tabs so the caret lines up under tab-indented text.
        let lead = text.unicodeScalars.prefix(diagnostic.column - 1).map { $0 == "\t" ? "\t" : " " }.joined()
        let underline = "^" + String(repeating: "~", count: diagnostic.length - 1)
        return ["\(number) | \(text)", "\(gutter) | \(lead)\(underline)"]
    }
}
