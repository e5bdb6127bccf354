import Foundation

/// One image's build output: shown line by line prefixed with the image's name (readable when
/// several build at once), kept whole in `.kind-ci/build/<image>.log`, and summarised on failure.
actor BuildLog {
    let image: String
    let file: URL
    private let progress: ProgressReporter
    private var handle: FileHandle?
    private var pending = ""
    private var lastLines: [String] = []
    private(set) var lastStep: String?
    static let keptLines = 12

    init(image: String, folder: URL, progress: ProgressReporter) throws {
        self.image = image
        self.progress = progress
        let file = folder.appendingPathComponent(image.replacing("/", with: "_").replacing(":", with: "_") + ".log")
        self.file = file
        handle = try OutputPath.writing(file.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data().write(to: file)
            return try FileHandle(forWritingTo: file)
        }
    }

    /// Text as it arrives, possibly partial lines; kept and shown a whole line at a time, masked
    /// (a secret cut across two chunks is whole in its line).
    func append(_ text: String) async {
        pending += text
        while let newline = pending.firstIndex(where: \.isNewline) {
            let line = String(pending[..<newline])
            pending = String(pending[pending.index(after: newline)...])
            keep(line + "\n")
            await show(line.trimmingCharacters(in: .whitespaces))
        }
    }

    func finish() async {
        if !pending.isEmpty {
            keep(pending)
            await show(pending)
        }
        pending = ""
        try? handle?.close()
        handle = nil
    }

    private func keep(_ text: String) {
        try? handle?.write(contentsOf: Data(SecretMask.process.mask(text).utf8))
    }

    /// The last lines, for a failure summary.
    var tail: [String] { lastLines }

    private func show(_ text: String) async {
        // The classic builder colours a step's standard error; interleaved logs read better plain.
        let line = text.replacing(/\u{1B}\[[0-9;]*[A-Za-z]/, with: "")
        guard !line.isEmpty else { return }
        if line.hasPrefix("Step ") || line.hasPrefix("#") && line.contains(" [") { lastStep = line }
        lastLines.append(line)
        if lastLines.count > Self.keptLines { lastLines.removeFirst() }
        await progress.output("[\(image)] \(line)")
    }
}
