import Foundation
import Testing
import TestSupport
@testable import Runner

/// `bake.before` / `bake.after` run through `Bake.hookScript` inside kind: the hook's exit code
/// comes through, and a hook that prints without bound gives its last MiB, not a failed exec.
@Suite struct BakeHookTests {
    func hook(_ command: String) throws -> KindCIBinary.Result {
        try Command.run("/bin/sh", ["-c", Bake.hookScript, "sh", command])
    }

    @Test func theHooksCodeAndOutputComeThrough() throws {
        let result = try hook("echo made; echo warned >&2; exit 3")
        #expect(result.status == 3)
        #expect(result.stdout == "made\nwarned\n")
    }

    @Test func endlessOutputIsCutToItsLastMebibyte() throws {
        let result = try hook("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo last line")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("(the first 1951435 bytes of output left out)\n"), "\(result.stdout.prefix(80))")
        #expect(result.stdout.hasSuffix("x\nlast line\n"))
        #expect(result.stdout.utf8.count == 1_048_576 + "(the first 1951435 bytes of output left out)\n".utf8.count)
    }
}
