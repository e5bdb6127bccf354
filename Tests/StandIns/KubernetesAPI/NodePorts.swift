import Foundation
import NIOCore
import NIOPosix

/// NodePort Services: `<stand-in host>:<nodePort>` forwards each connection to a ready pod of the
/// Service's selector, at its container port, the way a job reaches a Service in kind.
final class NodePorts: @unchecked Sendable {
    private let store: ObjectStore
    private let host: String
    private var listening: [Int: Channel] = [:]

    init(store: ObjectStore, host: String) {
        self.store = store
        self.host = host
    }

    /// Whether nothing on this machine holds `port` (a wildcard bind fails if any address has it).
    static func isFree(_ port: Int) -> Bool {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = INADDR_ANY
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    func serve(_ service: [String: Any]) async {
        let spec = service["spec"] as? [String: Any] ?? [:]
        guard spec["type"] as? String == "NodePort" else { return }
        let namespace = (service["metadata"] as? [String: Any])?["namespace"] as? String ?? "default"
        let selector = spec["selector"] as? [String: String] ?? [:]
        for port in spec["ports"] as? [[String: Any]] ?? [] {
            guard let nodePort = port["nodePort"] as? Int, listening[nodePort] == nil else { continue }
            let target = port["targetPort"] as? Int ?? port["port"] as? Int ?? 80
            let store = store
            let resolve: @Sendable () -> String? = {
                store.list("pods", namespace: namespace).first { pod in
                    let labels = (pod["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
                    let status = pod["status"] as? [String: Any] ?? [:]
                    return selector.allSatisfy { labels[$0.key] == $0.value } && status["phase"] as? String == "Running"
                }.flatMap { ($0["status"] as? [String: Any])?["podIP"] as? String }
            }
            let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.autoRead, value: false)
                .childChannelInitializer { inbound in
                    guard let address = resolve() else { return inbound.close() }
                    return ClientBootstrap(group: inbound.eventLoop).connect(host: address, port: target).flatMap { outbound in
                        let (left, right) = Glue.pair()
                        // Reading starts once both ends are glued, so that nothing arrives before.
                        return inbound.pipeline.addHandler(left).flatMap { outbound.pipeline.addHandler(right) }.flatMap {
                            inbound.setOption(.autoRead, value: true)
                        }
                    }.flatMapError { _ in inbound.close() }
                }
                .bind(host: host, port: nodePort)
                .get()
            if let channel { listening[nodePort] = channel }
        }
    }
}

/// Two handlers that pass bytes between two channels, each reading only when its partner can
/// write (backpressure), and closing both when one side closes.
final class Glue: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: Glue?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func pair() -> (Glue, Glue) {
        let first = Glue()
        let second = Glue()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil; partner = nil }

    private func write(_ data: NIOAny) { context?.write(data, promise: nil) }
    private func flush() { context?.flush() }
    private func close() { context?.close(promise: nil) }
    private var writable: Bool { context?.channel.isWritable ?? false }

    private func readIfPending() {
        if pendingRead { pendingRead = false; context?.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.write(data) }
    func channelReadComplete(context: ChannelHandlerContext) { partner?.flush() }
    func channelInactive(context: ChannelHandlerContext) { partner?.close() }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.readIfPending() }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.writable ?? false { context.read() } else { pendingRead = true }
    }
}
