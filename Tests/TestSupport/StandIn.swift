import Foundation

/// The config-endpoint stand-in (Tests/StandIns/ConfigEndpoint) as a child process.
public final class ConfigEndpointStandIn: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// Starts it on `port` (default: a free loopback port) with the given script options
    /// (`--refuse-for 1s`, ...).
    public init(_ options: [String], port: Int? = nil) throws {
        self.port = try port ?? (FreePort.next())
        process = Process()
        process.executableURL = URL(fileURLWithPath: KindCIBinary.path).deletingLastPathComponent()
            .appendingPathComponent("ConfigEndpointStandIn")
        process.arguments = ["--port", String(self.port)] + options
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        stop()
    }
}

/// The fault proxy (Tests/StandIns/FaultProxy) in front of `upstream`, listening on `host`: cuts
/// the first `drops` connections (or every one, with nil) once they have carried `dropAfter`
/// bytes; without `dropAfter` it only relays.
public final class FaultProxy: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public init(to upstream: String, dropAfter: Int? = nil, drops: Int? = nil, host: String = "127.0.0.1") throws {
        port = try FreePort.next()
        process = Process()
        process.executableURL = URL(fileURLWithPath: KindCIBinary.path).deletingLastPathComponent().appendingPathComponent("FaultProxy")
        process.arguments = ["--port", String(port), "--to", upstream, "--host", host]
            + (dropAfter.map { ["--drop-after", String($0), "--drops", drops.map(String.init) ?? "always"] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

/// A loopback port nothing listens on right now.
public enum FreePort {
    public static func next() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw TestDocker.Failure(description: "no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
