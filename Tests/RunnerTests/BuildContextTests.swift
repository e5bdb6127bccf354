import Foundation
import NIOCore
import Testing
import TestSupport
@testable import Runner

/// The context tar, read back by GNU tar: long names, symlinks, modes, empty folders, exclusions,
/// and a Dockerfile from outside the context.
@Suite struct BuildContextTests {
    static func tarOf(_ context: BuildContext) async throws -> URL {
        let counter = ByteCounter()
        var data = Data()
        for try await chunk in context.stream(counting: counter) {
            data.append(contentsOf: chunk.readableBytesView)
            #expect(chunk.readableBytes <= TarStream.chunkSize + 2 * TarHeader.blockSize * 2)
        }
        #expect(counter.value == data.count)
        #expect(data.count % TarHeader.blockSize == 0)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("context-\(UUID()).tar")
        try data.write(to: file)
        return file
    }

    @Test func gnuTarReadsBackEverything() async throws {
        let source = try TemporaryFolder()
        let longName = String(repeating: "segment-", count: 20) + "file.txt" // over 100 bytes
        let longPath = "deep/" + String(repeating: "nested-folder/", count: 12) + longName // over 255 bytes
        try source.write(longPath, "long\n")
        try source.write("bin/run.sh", "#!/bin/sh\necho run\n")
        try source.write("secret.key", "s\n")
        try source.write("Dockerfile", "FROM scratch\n")
        try source.write(".dockerignore", "*.key\nlarge/\n")
        try source.write("large/blob", String(repeating: "x", count: 300_000))
        try source.write("ünïcode.txt", "u\n")
        try FileManager.default.createDirectory(at: source.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: source.url.appendingPathComponent("bin/run.sh").path)
        try FileManager.default.createSymbolicLink(atPath: source.url.appendingPathComponent("link").path, withDestinationPath: "bin/run.sh")
        try FileManager.default.createSymbolicLink(atPath: source.url.appendingPathComponent("long-link").path, withDestinationPath: longPath)
        let context = try BuildContext.prepare(context: source.url, dockerfile: source.url.appendingPathComponent("Dockerfile"))
        #expect(context.dockerfile == "Dockerfile")
        let tar = try await Self.tarOf(context)
        defer { try? FileManager.default.removeItem(at: tar) }

        let target = try TemporaryFolder()
        let result = try Command.run("/bin/tar", ["-xf", tar.path, "-C", target.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        let read = { (path: String) in try? String(contentsOf: target.url.appendingPathComponent(path), encoding: .utf8) }
        #expect(read(longPath) == "long\n")
        #expect(read("bin/run.sh") == "#!/bin/sh\necho run\n")
        #expect(read("ünïcode.txt") == "u\n")
        #expect(read("secret.key") == nil, ".dockerignore'd")
        #expect(!FileManager.default.fileExists(atPath: target.url.appendingPathComponent("large").path))
        #expect(read(".dockerignore") == "*.key\nlarge/\n")
        let mode = try FileManager.default.attributesOfItem(atPath: target.url.appendingPathComponent("bin/run.sh").path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.url.appendingPathComponent("link").path) == "bin/run.sh")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.url.appendingPathComponent("long-link").path) == longPath)
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: target.url.appendingPathComponent("empty").path, isDirectory: &isFolder) && isFolder.boolValue)
    }

    @Test func aDockerfileOutsideTheContextTravelsUnderAPrivateName() async throws {
        let folder = try TemporaryFolder()
        try folder.write("context/app.txt", "app\n")
        try folder.write("ci/Dockerfile", "FROM scratch\nCOPY app.txt /\n")
        let context = try BuildContext.prepare(context: folder.url.appendingPathComponent("context"),
                                               dockerfile: folder.url.appendingPathComponent("ci/Dockerfile"))
        #expect(context.dockerfile.hasPrefix(".dockerfile."))
        let tar = try await Self.tarOf(context)
        defer { try? FileManager.default.removeItem(at: tar) }
        let listing = try Command.run("/bin/tar", ["-tf", tar.path]).stdout.split(separator: "\n").map(String.init)
        #expect(Set(listing) == ["app.txt", context.dockerfile])
        let content = try Command.run("/bin/tar", ["-xOf", tar.path, context.dockerfile]).stdout
        #expect(content == "FROM scratch\nCOPY app.txt /\n")
    }

    @Test func paxRecordsCountTheirOwnLength() {
        for value in ["a", String(repeating: "x", count: 90), String(repeating: "y", count: 994)] {
            let record = TarHeader.paxRecord("path", value)
            let length = Int(record.split(separator: " ").first ?? "")
            #expect(length == record.utf8.count)
        }
    }
}
