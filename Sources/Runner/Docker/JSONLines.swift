import NIOCore
import Synchronization

/// Docker's progress streams (pull, build): one JSON object a line, in chunks that cut lines
/// anywhere. Fed chunk by chunk from the task that reads the answer.
final class JSONLines: Sendable {
    enum Line: Sendable {
        case object(JSON)
        /// A line that is not JSON: an error the daemon wrote as plain text.
        case text(String)
    }

    private let pending = Mutex(ByteBuffer())

    /// The lines `chunk` completes, decoded.
    func feed(_ chunk: ByteBuffer) -> [Line] {
        pending.withLock { buffer in
            var chunk = chunk
            buffer.writeBuffer(&chunk)
            var lines: [Line] = []
            while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer.readSlice(length: newline - buffer.readerIndex + 1)!
                lines.append((try? JSON.decode(line.readableBytesView)).map(Line.object) ?? .text(String(buffer: line)))
            }
            buffer.discardReadBytes()
            return lines
        }
    }

    /// What came after the last line break: the whole answer when the daemon refused at once.
    var rest: String { pending.withLock { String(buffer: $0) } }
}
