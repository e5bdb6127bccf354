import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization

/// What is sent to the daemon for one build: the context folder minus `.dockerignore`d paths, as a
/// tar, plus the Dockerfile when it lives outside the context (under a private name, as the docker
/// CLI does). Listed up front, read from disk only while streaming.
struct BuildContext: Sendable {
    struct Entry: Sendable {
        let header: TarHeader
        /// Where the content comes from, for files.
        let source: String?
        /// Content held in memory (the out-of-context Dockerfile).
        let inline: ByteBuffer?
    }

    let entries: [Entry]
    /// The Dockerfile's path inside the tar: the build's `dockerfile` parameter.
    let dockerfile: String

    static func prepare(context: URL, dockerfile: URL) throws -> BuildContext {
        let root = context.standardizedFileURL.resolvingSymlinksInPath().path
        let dockerfilePath = dockerfile.standardizedFileURL.resolvingSymlinksInPath().path
        let inside = dockerfilePath.hasPrefix(root + "/")
        let relativeDockerfile = inside ? String(dockerfilePath.dropFirst(root.count + 1)) : nil
        let ignoreFile = root + "/.dockerignore"
        var ignore = try DockerIgnore(FileManager.default.fileExists(atPath: ignoreFile) ? String(contentsOfFile: ignoreFile, encoding: .utf8) : "")
        ignore = try ignore.including([".dockerignore"] + (relativeDockerfile.map { [$0] } ?? []))

        var entries: [Entry] = []
        try walk(root, relative: "", ignore: ignore, into: &entries)
        guard let relativeDockerfile else {
            // Outside the context: sent under a name no context path will have.
            let name = ".dockerfile.\(String(UInt64.random(in: .min ... .max), radix: 16))"
            let content = try Data(contentsOf: dockerfile)
            entries.append(Entry(header: TarHeader(path: name, kind: .file, size: content.count, mode: 0o644,
                                                   modified: Int(Date().timeIntervalSince1970)),
                                 source: nil, inline: ByteBuffer(bytes: content)))
            return BuildContext(entries: entries, dockerfile: name)
        }
        return BuildContext(entries: entries, dockerfile: relativeDockerfile)
    }

    private static func walk(_ root: String, relative: String, ignore: DockerIgnore, into entries: inout [Entry]) throws {
        let folder = relative.isEmpty ? root : "\(root)/\(relative)"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            let absolute = "\(root)/\(path)"
            let attributes = try FileManager.default.attributesOfItem(atPath: absolute)
            let type = attributes[.type] as? FileAttributeType
            let mode = (attributes[.posixPermissions] as? Int) ?? 0o644
            let modified = Int((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
            switch type {
            case .typeDirectory?:
                if ignore.prunes(folder: path) { continue }
                if !ignore.excludes(path) {
                    entries.append(Entry(header: TarHeader(path: path, kind: .folder, size: 0, mode: mode, modified: modified), source: nil, inline: nil))
                }
                try walk(root, relative: path, ignore: ignore, into: &entries)
            case .typeRegular?:
                guard !ignore.excludes(path) else { continue }
                let size = (attributes[.size] as? Int) ?? 0
                entries.append(Entry(header: TarHeader(path: path, kind: .file, size: size, mode: mode, modified: modified), source: absolute, inline: nil))
            case .typeSymbolicLink?:
                guard !ignore.excludes(path) else { continue }
                var header = TarHeader(path: path, kind: .symlink, size: 0, mode: mode, modified: modified)
                header.linkTarget = try FileManager.default.destinationOfSymbolicLink(atPath: absolute)
                entries.append(Entry(header: header, source: nil, inline: nil))
            default:
                // Sockets, devices and pipes have no place in an image build.
                continue
            }
        }
    }

    /// The tar, produced as the upload reads it: memory stays flat whatever the context's size.
    func stream(counting counter: ByteCounter) -> TarStream {
        TarStream(entries: entries, counter: counter)
    }
}

/// Bytes sent so far, shared between the stream and whoever reports on it.
final class ByteCounter: Sendable {
    private let count = Mutex(0)

    func add(_ bytes: Int) { count.withLock { $0 += bytes } }
    var value: Int { count.withLock { $0 } }
}

/// The context tar as an async sequence of chunks of at most `chunkSize` bytes.
struct TarStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let chunkSize = 1 << 20

    let entries: [BuildContext.Entry]
    let counter: ByteCounter

    func makeAsyncIterator() -> Iterator {
        Iterator(entries: entries[...], counter: counter)
    }

    struct Iterator: AsyncIteratorProtocol {
        var entries: ArraySlice<BuildContext.Entry>
        let counter: ByteCounter
        var file: Int32 = -1
        var remaining = 0
        var padding = 0
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            let chunk = try produce()
            if let chunk { counter.add(chunk.readableBytes) }
            return chunk
        }

        private mutating func produce() throws -> ByteBuffer? {
            if remaining > 0 {
                // Read straight into the buffer that is sent: no copy in between.
                var buffer = ByteBuffer()
                let wanted = Swift.min(remaining, TarStream.chunkSize)
                let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { pointer in
                    Glibc.read(file, pointer.baseAddress, wanted)
                }
                guard read >= 0 else { throw ContextReadError(errno: errno) }
                // A file that shrank since it was listed still fills the size its header promised.
                if read == 0 { buffer.writeRepeatingByte(0, count: wanted) }
                remaining -= read == 0 ? wanted : read
                if remaining == 0 { closeFile(&buffer) }
                return buffer
            }
            guard let entry = entries.popFirst() else {
                if finished { return nil }
                finished = true
                var end = ByteBuffer()
                end.writeRepeatingByte(0, count: TarHeader.blockSize * 2)
                return end
            }
            var buffer = entry.header.encoded()
            if var inline = entry.inline {
                buffer.writeBuffer(&inline)
                buffer.writeRepeatingByte(0, count: TarHeader.padding(entry.header.size))
            } else if let source = entry.source, entry.header.size > 0 {
                file = open(source, O_RDONLY | O_CLOEXEC)
                guard file >= 0 else { throw ContextReadError(errno: errno, path: source) }
                remaining = entry.header.size
                padding = TarHeader.padding(entry.header.size)
            }
            return buffer
        }

        private mutating func closeFile(_ buffer: inout ByteBuffer) {
            buffer.writeRepeatingByte(0, count: padding)
            close(file)
            file = -1
        }
    }
}

/// A file of the build context could not be read while it was being sent.
struct ContextReadError: Error, CustomStringConvertible {
    let errno: Int32
    var path: String?

    var description: String { "cannot read \(path ?? "a context file"): \(String(cString: strerror(errno)))" }
}
