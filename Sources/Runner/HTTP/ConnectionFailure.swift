import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why a connection could not be made, in the terms a diagnosis needs.
enum ConnectionFailure: Hashable, Sendable, CustomStringConvertible {
    /// The name did not resolve: a wrong alias, or a service that does not exist (yet).
    case unresolved
    /// Something answered "nothing listens here": before kind's docker is up this is normal.
    case refused
    /// No answer at all within the deadline.
    case timedOut
    case other(String)

    init(_ error: any Error) {
        if let connection = error as? NIOConnectionError {
            let errnos = connection.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if errnos.contains(ECONNREFUSED) {
                self = .refused
            } else if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                self = .unresolved
            } else if errnos.isEmpty {
                self = .other(String(describing: error))
            } else {
                self = .other(errnos.map { String(cString: strerror($0)) }.joined(separator: ", "))
            }
        } else if error is NIOConnectionError || (error as? HTTPClientError) == .connectTimeout
                    || (error as? HTTPClientError) == .deadlineExceeded || (error as? HTTPClientError) == .readTimeout {
            self = .timedOut
        } else if let io = error as? IOError, [ECONNREFUSED, ECONNRESET].contains(io.errnoCode) {
            // A published port with nothing behind it yet: Docker's proxy accepts, then resets.
            self = .refused
        } else if error is SocketAddressError {
            self = .unresolved
        } else if let client = error as? HTTPClientError, client == .remoteConnectionClosed {
            self = .refused
        } else if let channel = error as? ChannelError, channel == .ioOnClosedChannel || channel == .eof {
            // Reset as soon as it was made: the same as the port's proxy with nothing behind it.
            self = .refused
        } else if error is NIOSSLError || error is BoringSSLError {
            self = .other("TLS failed: \(error)")
        } else {
            self = .other(String(describing: error))
        }
    }

    /// Whether `error` came from the connection itself (made, kept, cut, or its TLS) rather than
    /// from what was said over it or from this side's files.
    static func isTransport(_ error: any Error) -> Bool {
        error is HTTPClientError || error is NIOConnectionError || error is IOError || error is ChannelError
            || error is SocketAddressError || error is NIOSSLError || error is BoringSSLError
    }

    var description: String {
        switch self {
        case .unresolved: "the name does not resolve"
        case .refused: "connection refused"
        case .timedOut: "no answer (timed out)"
        case let .other(reason): reason
        }
    }
}
