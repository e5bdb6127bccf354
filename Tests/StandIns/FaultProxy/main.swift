// A TCP proxy that plays a flaky link in front of a server (kind's docker, for the tests): every
// connection is passed through byte for byte, except that the first COUNT connections to carry more
// than BYTES (both ways together) are cut there with a reset, as a dropped link does.
//
//   FaultProxy --port N --to HOST:PORT [--host ADDRESS] [--drop-after BYTES] [--drops COUNT|always]
//   (without --drop-after it only relays: a daemon reached under another address)
import Foundation
import StandInCommandLine
import NIOCore
import NIOPosix
import Synchronization

struct Options {
    var host = "127.0.0.1"
    var port = 0
    var upstreamHost = ""
    var upstreamPort = 0
    var dropAfter: Int?
    var drops = 1

    init(arguments: [String]) throws {
        var flags = FlagReader(arguments)
        while let flag = flags.next() {
            switch flag {
            case "--port": port = Int(try flags.value(of: flag)) ?? -1
            case "--host": host = try flags.value(of: flag)
            case "--to":
                let parts = try flags.value(of: flag).split(separator: ":")
                guard parts.count == 2, let number = Int(parts[1]) else { throw UsageError("--to takes HOST:PORT") }
                upstreamHost = String(parts[0])
                upstreamPort = number
            case "--drop-after": dropAfter = Int(try flags.value(of: flag))
            case "--drops":
                let text = try flags.value(of: flag)
                drops = text == "always" ? Int.max : Int(text) ?? 0
            default: throw UsageError("unknown option \(flag)")
            }
        }
        guard port > 0, upstreamPort > 0 else { throw UsageError("--port and --to are required") }
    }
}

/// The cuts still to make, shared by every connection.
let remainingDrops = Mutex(0)

/// One connection's traffic so far; true when this much has to be cut.
final class Traffic: Sendable {
    private let carried = Mutex(0)
    let limit: Int?

    init(limit: Int?) {
        self.limit = limit
    }

    func cuts(after bytes: Int) -> Bool {
        guard let limit else { return false }
        let total = carried.withLock { count in
            count += bytes
            return count
        }
        guard total > limit else { return false }
        return remainingDrops.withLock { drops in
            guard drops > 0 else { return false }
            if drops != Int.max { drops -= 1 }
            return true
        }
    }
}

struct Cut: Error {}

typealias Link = NIOAsyncChannel<ByteBuffer, ByteBuffer>

func forward(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
             traffic: Traffic) async throws {
    for try await chunk in inbound {
        if traffic.cuts(after: chunk.readableBytes) { throw Cut() }
        try await outbound.write(chunk)
    }
}

/// Relays one client to the upstream server until either side ends, or the link is cut.
func relay(_ client: Link, options: Options) async {
    let traffic = Traffic(limit: options.dropAfter)
    do {
        let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: options.upstreamHost, port: options.upstreamPort) { channel in
                channel.eventLoop.makeCompletedFuture { try Link(wrappingChannelSynchronously: channel) }
            }
        try await client.executeThenClose { clientIn, clientOut in
            try await upstream.executeThenClose { upstreamIn, upstreamOut in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await forward(clientIn, to: upstreamOut, traffic: traffic) }
                    group.addTask { try await forward(upstreamIn, to: clientOut, traffic: traffic) }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        }
    } catch is Cut {
        // A reset, not an orderly close: what a client sees when the link drops.
        try? await (client.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        try? await client.channel.close()
    } catch {
        try? await client.channel.close()
    }
}

let options = try optionsOrExit(program: "FaultProxy") { try Options(arguments: CommandLine.arguments) }
remainingDrops.withLock { $0 = options.drops }
let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .bind(host: options.host, port: options.port) { channel in
        channel.eventLoop.makeCompletedFuture { try Link(wrappingChannelSynchronously: channel) }
    }
FileHandle.standardOutput.write(Data("listening on \(options.host):\(options.port)\n".utf8))
try await server.executeThenClose { clients in
    try await withThrowingDiscardingTaskGroup { group in
        for try await client in clients {
            group.addTask { await relay(client, options: options) }
        }
    }
}
