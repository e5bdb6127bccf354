import Foundation

/// The `kind-ci` executable that `swift build` produced, run as a user runs it.
public enum KindCIBinary {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// `KIND_CI_BINARY` when set (to test a release or copied binary), else the one beside the
    /// test bundle in the build folder.
    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["KIND_CI_BINARY"], !path.isEmpty { return path }
        let folder = Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return folder.appendingPathComponent("kind-ci").path
    }

    /// Runs kind-ci to completion with `arguments`, in `directory`, with the test process's
    /// environment plus `environment` (a nil value removes a variable).
    public static func run(_ arguments: [String], in directory: URL? = nil,
                           environment: [String: String?] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        return try wait(for: process, in: directory, environment: environment)
    }

    /// Starts kind-ci and returns at once, for tests that signal it or read its log as it runs.
    public static func start(_ arguments: [String], in directory: URL? = nil,
                             environment: [String: String?] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = try Capture()
        configure(process, directory: directory, environment: environment, output: output)
        try process.run()
        return Running(process: process, output: output)
    }

    /// A kind-ci still running.
    public final class Running: @unchecked Sendable {
        public let process: Process
        private let output: Capture

        fileprivate init(process: Process, output: Capture) {
            self.process = process
            self.output = output
        }

        /// What it has written to standard error so far.
        public var stderr: String { (try? output.read(\.stderrURL)) ?? "" }

        /// Waits until `text` shows in its log, or `timeout` passes; false when it did not show.
        public func waitForLog(_ text: String, timeout: Duration = .seconds(60)) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline, process.isRunning {
                if stderr.contains(text) { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return stderr.contains(text)
        }

        public func finish() -> Result {
            process.waitUntilExit()
            defer { output.remove() }
            return Result(status: process.terminationStatus, stdout: (try? output.read(\.stdoutURL)) ?? "", stderr: stderr)
        }
    }

    static func wait(for process: Process, in directory: URL?, environment: [String: String?]) throws -> Result {
        let output = try Capture()
        defer { output.remove() }
        configure(process, directory: directory, environment: environment, output: output)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: try output.read(\.stdoutURL), stderr: try output.read(\.stderrURL))
    }

    private static func configure(_ process: Process, directory: URL?, environment: [String: String?], output: Capture) {
        if let directory { process.currentDirectoryURL = directory }
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output.stdout
        process.standardError = output.stderr
    }

    /// Output goes to files rather than pipes, so a chatty child can never block on a full pipe.
    fileprivate struct Capture {
        let folder: URL
        let stdoutURL: URL
        let stderrURL: URL
        let stdout: FileHandle
        let stderr: FileHandle

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("kind-ci-run-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            stdoutURL = folder.appendingPathComponent("stdout")
            stderrURL = folder.appendingPathComponent("stderr")
            try Data().write(to: stdoutURL)
            try Data().write(to: stderrURL)
            stdout = try FileHandle(forWritingTo: stdoutURL)
            stderr = try FileHandle(forWritingTo: stderrURL)
        }

        func read(_ file: KeyPath<Capture, URL>) throws -> String {
            try String(contentsOf: self[keyPath: file], encoding: .utf8)
        }

        func remove() {
            try? stdout.close()
            try? stderr.close()
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
