/// One look at a file on kind's config endpoint (`http://host:10080/<file>`).
enum ProbeOutcome: Sendable, Hashable, CustomStringConvertible {
    /// 200: the file is there.
    case present
    /// 404: the server is up, the file not yet.
    case absent
    case status(Int)
    case failed(ConnectionFailure)

    /// Whether an HTTP server answered at all.
    var answered: Bool {
        if case .failed = self { return false }
        return true
    }

    /// States the waiting backs off in: the name does not resolve, or the server errs.
    var backsOff: Bool {
        switch self {
        case .failed(.unresolved), .failed(.other): true
        case let .status(code): code >= 500
        default: false
        }
    }

    var description: String {
        switch self {
        case .present: "ready"
        case .absent: "not yet (404)"
        case let .status(code): "HTTP \(code)"
        case let .failed(failure): failure.description
        }
    }
}

extension HTTPFetch {
    func probe(_ address: KindAddress, _ file: String) async -> ProbeOutcome {
        do {
            let response = try await send(.GET, "http://\(address.configEndpoint)/\(file)", timeout: .seconds(2), limit: 1 << 20)
            switch response.status {
            case 200: return .present
            case 404: return .absent
            default: return .status(response.status)
            }
        } catch {
            return .failed(ConnectionFailure(error))
        }
    }

    /// Whether kind's docker answers `GET /_ping` with OK: its Engine API is up.
    func ping(_ address: KindAddress) async -> Bool {
        (try? await send(.GET, address.dockerEndpoint.url("/_ping"), timeout: .seconds(2), limit: 1024))?.status == 200
    }

    /// A file's text, or nil when it cannot be had.
    func configFile(_ address: KindAddress, _ file: String, limit: Int = 1 << 20) async -> String? {
        guard let response = try? await send(.GET, "http://\(address.configEndpoint)/\(file)", timeout: .seconds(5), limit: limit),
              response.status == 200 else { return nil }
        return response.text
    }
}
