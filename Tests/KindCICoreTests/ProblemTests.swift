import KindCICore
import Testing

/// Every failure a user sees is rendered by `Problem`: the origin, `error:`, the headline, the
/// details indented, the fix; several findings and notes in order.
@Suite struct ProblemTests {
    @Test func rendersAHeadlineItsDetailsAndTheFix() {
        let problem = Problem("kind's docker did not answer", details: ["last: connection refused"], fix: "retry the job", status: .kindNotReady)
        #expect(problem.render(style: .plain) == "kind-ci: error: kind's docker did not answer\n  last: connection refused\n  fix: retry the job")
        #expect(problem.exitCode == 75)
        #expect(problem.headline == "kind's docker did not answer")
    }

    @Test func rendersEveryFindingThenTheNotes() {
        let findings = [Problem.Finding(origin: .location("kind-ci.yml:3:5"), headline: "build[0].context: no such folder", fix: "fix the path"),
                        Problem.Finding(origin: .location("kind-ci.yml:9:1"), headline: "unknown key 'tset'")]
        let problem = Problem(findings: findings, notes: ["kind-ci.yml: 2 problems"], status: .badConfiguration)
            .appending(note: "kind-ci: failed (exit 78) in 0ms")
        #expect(problem.render(style: .plain) == """
            kind-ci.yml:3:5: error: build[0].context: no such folder
              fix: fix the path
            kind-ci.yml:9:1: error: unknown key 'tset'
            kind-ci.yml: 2 problems
            kind-ci: failed (exit 78) in 0ms
            """)
    }

    @Test func problemsFoundTogetherKeepTheirOrderAndTheFirstStatus() throws {
        let together = try #require(Problem.together([Problem("first", status: .deployFailed), Problem("second", status: .kindNotReady)]))
        #expect(together.render(style: .plain) == "kind-ci: error: first\nkind-ci: error: second")
        #expect(together.exitStatus == .deployFailed)
        #expect(Problem.together([]) == nil)
    }

    @Test func aCancellationIsNotLabelledAnError() {
        #expect(Problem("stopped by SIGTERM after cleaning up", status: .terminated).render(style: .plain) == "kind-ci: stopped by SIGTERM after cleaning up")
    }

    @Test func failedTestsKeepTheirOwnCode() {
        #expect(Problem("the tests failed", status: .testsFailed, exitCode: 3).exitCode == 3)
    }

    @Test func colourMarksTheLabelAndTheFixOnly() {
        let text = Problem("it broke", fix: "mend it", status: .usage, origin: .command("kind-ci init")).render(style: TerminalStyle(colour: true))
        #expect(text == "kind-ci init: \u{1B}[1;31merror:\u{1B}[0m it broke\n  \u{1B}[36mfix:\u{1B}[0m mend it")
    }
}
