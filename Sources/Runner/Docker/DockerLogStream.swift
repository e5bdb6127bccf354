import NIOCore

/// Docker's log stream for containers without a TTY: frames of an 8-byte header (stream type, three
/// zero bytes, a big-endian length) and that many bytes. A container with a TTY sends raw text.
enum DockerLogStream {
    static func text(of buffer: ByteBuffer) -> String {
        var input = buffer
        var output = ByteBuffer()
        while input.readableBytes >= 8 {
            guard let header = input.getBytes(at: input.readerIndex, length: 8),
                  [0, 1, 2].contains(header[0]), header[1] == 0, header[2] == 0, header[3] == 0 else {
                break
            }
            let length = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
            guard input.readableBytes >= 8 + length else { break }
            input.moveReaderIndex(forwardBy: 8)
            var frame = input.readSlice(length: length)!
            output.writeBuffer(&frame)
        }
        // Whatever is not framed is the raw text of a TTY container.
        output.writeBuffer(&input)
        return String(buffer: output)
    }
}
