// A stand-in for kind's config endpoint (kind-service-contract.md): an HTTP file server that, like
// kind's start.sh, refuses connections until "docker" is up, then serves `docker-ready`, and
// `kubernetes-ready` once the cluster would be ready (or never). Times count from start-up.
//
//   ConfigEndpointStandIn --port N [--host 127.0.0.1] [--refuse-for 1s] [--docker-ready-after 1s]
//                         [--kubernetes-ready-after 3s | --never-kubernetes] [--kubeconfig FILE]
//                         [--kubernetes-version v1.23.10]   (what /kubernetes-version serves)
//                         [--report FILE]   (writes how many ms after docker-ready appeared it was first fetched)
//                         [--directory DIR]   (serve DIR's files as they are, as kind's nginx serves /var/kube-config;
//                                              the timing options then do not apply)
//                         [--fault KIND:COUNT]   (repeatable; the first COUNT connections or requests, or `always`:
//                                                 reset (the connection is reset on arrival), status-500, hang (headers
//                                                 and half the body, then nothing), config-empty, config-truncated)
import Foundation
import StandInCommandLine
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What goes wrong, and how many more times.
enum FaultKind: String, CaseIterable {
    case reset
    case status500 = "status-500"
    case hang
    case configEmpty = "config-empty"
    case configTruncated = "config-truncated"
}

/// The faults still to inject, counted down as they happen.
final class Faults: Sendable {
    private let remaining: Mutex<[FaultKind: Int]>

    init(_ counts: [FaultKind: Int]) {
        remaining = Mutex(counts)
    }

    /// Whether `kind` strikes now (counting it down).
    func strikes(_ kind: FaultKind) -> Bool {
        remaining.withLock { counts in
            guard let count = counts[kind], count > 0 else { return false }
            counts[kind] = count == Int.max ? count : count - 1
            return true
        }
    }
}

struct Script {
    var host = "127.0.0.1"
    var port = 10080
    var refuseFor = 0.0
    var dockerReadyAfter = 0.0
    var kubernetesReadyAfter: Double? = 0.0
    var report: String?
    /// Serve this folder's files instead of the scripted ones.
    var directory: String?
    var faults: [FaultKind: Int] = [:]
    var kubernetesVersion = "v1.23.10"
    var kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster: {server: "https://172.30.99.1:8443"}
          name: kind
        contexts:
        - context: {cluster: kind, user: kind}
          name: kind
        current-context: kind
        users:
        - name: kind
          user: {}

        """

    init(arguments: [String]) throws {
        var flags = FlagReader(arguments)
        func seconds(_ flag: String) throws -> Double {
            let text = try flags.value(of: flag)
            guard text.hasSuffix("s"), let number = Double(text.dropLast()) else {
                throw UsageError("\(flag) takes seconds such as 1.5s, not \(text)")
            }
            return number
        }
        while let flag = flags.next() {
            switch flag {
            case "--host": host = try flags.value(of: flag)
            case "--port": port = Int(try flags.value(of: flag)) ?? -1
            case "--refuse-for": refuseFor = try seconds(flag)
            case "--docker-ready-after": dockerReadyAfter = try seconds(flag)
            case "--kubernetes-ready-after": kubernetesReadyAfter = try seconds(flag)
            case "--never-kubernetes": kubernetesReadyAfter = nil
            case "--kubeconfig": kubeconfig = try String(contentsOfFile: try flags.value(of: flag), encoding: .utf8)
            case "--report": report = try flags.value(of: flag)
            case "--kubernetes-version": kubernetesVersion = try flags.value(of: flag)
            case "--directory": directory = try flags.value(of: flag)
            case "--fault":
                let text = try flags.value(of: flag)
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let kind = FaultKind(rawValue: parts[0]),
                      let count = parts[1] == "always" ? Int.max : Int(parts[1]) else {
                    throw UsageError("--fault takes KIND:COUNT or KIND:always, KIND one of "
                                     + FaultKind.allCases.map(\.rawValue).joined(separator: ", ") + "; not \(text)")
                }
                faults[kind] = count
            default: throw UsageError("unknown option \(flag)")
            }
        }
    }

    /// The body for `path` at `uptime` seconds, or nil for 404.
    func file(_ path: String, uptime: Double) -> String? {
        if let directory {
            let name = path.dropFirst()
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { return nil }
            return try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        }
        return switch path {
        case "/docker-ready": uptime >= dockerReadyAfter ? "" : nil
        case "/kubernetes-ready": kubernetesReadyAfter.map { uptime >= $0 ? "" : nil } ?? nil
        case "/config": kubeconfig
        case "/kubernetes-version": kubernetesVersion
        case "/minikube-version": "v1.27.1"
        case "/static-ip": "172.30.99.1"
        default: nil
        }
    }
}

final class FileHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let script: Script
    let started: NIODeadline
    let faults: Faults
    /// Whether docker-ready has been served yet (for `--report`).
    static let served = Mutex(false)

    init(script: Script, started: NIODeadline, faults: Faults) {
        self.script = script
        self.started = started
        self.faults = faults
    }

    /// `reset`: as a port whose server died does, the connection is reset as soon as it is made.
    func channelActive(context: ChannelHandlerContext) {
        if faults.strikes(.reset) {
            let channel = context.channel
            let linger = (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                ?? channel.eventLoop.makeSucceededVoidFuture()
            linger.whenComplete { _ in channel.close(promise: nil) }
            return
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case let .head(request) = unwrapInboundIn(data) else { return }
        let uptime = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        let path = String(request.uri.split(separator: "?").first ?? "")
        if faults.strikes(.status500) {
            respond(context, request, status: .internalServerError, body: "<html>500 Internal Server Error</html>")
            return
        }
        if faults.strikes(.hang) {
            // Promises a body it never finishes, as a server that stalls mid-answer does.
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "64")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: String(repeating: "x", count: 32))))),
                                  promise: nil)
            return
        }
        var body = request.method == .GET || request.method == .HEAD ? script.file(path, uptime: uptime) : nil
        if path == "/config", let text = body {
            if faults.strikes(.configEmpty) {
                body = ""
            } else if faults.strikes(.configTruncated) {
                body = String(text.prefix(text.count / 2))
            }
        }
        let status: HTTPResponseStatus = body == nil ? .notFound : .ok
        if path == "/docker-ready", body != nil, let report = script.report,
           Self.served.withLock({ served in
               defer { served = true }
               return !served
           }) {
            let late = Int((uptime - max(script.dockerReadyAfter, script.refuseFor)) * 1000)
            try? Data("\(late)\n".utf8).write(to: URL(fileURLWithPath: report))
        }
        respond(context, request, status: status, body: body ?? "not found")
    }

    private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, status: HTTPResponseStatus, body: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// One broken client must not stop the server: drop its connection only.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let script = try optionsOrExit(program: "ConfigEndpointStandIn") { try Script(arguments: CommandLine.arguments) }
let started = NIODeadline.now()
let faults = Faults(script.faults)
// Like kind before its docker is up: nothing listens, so connections are refused.
try await Task.sleep(for: .milliseconds(Int(script.refuseFor * 1000)))
let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(FileHandler(script: script, started: started, faults: faults))
        }
    }
    .bind(host: script.host, port: script.port)
    .get()
FileHandle.standardOutput.write(Data("listening on \(script.host):\(script.port)\n".utf8))
try await channel.closeFuture.get()
