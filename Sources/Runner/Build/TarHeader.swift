import NIOCore

/// One entry's header in a POSIX (ustar) tar stream, with a PAX extended header in front when a
/// name, link target or size does not fit the classic fields: what Docker's build context reader
/// understands.
struct TarHeader: Sendable {
    enum Kind: UInt8, Sendable {
        case file = 0x30 // "0"
        case symlink = 0x32 // "2"
        case folder = 0x35 // "5"
    }

    let path: String
    let kind: Kind
    let size: Int
    let mode: Int
    let modified: Int
    var linkTarget = ""

    static let blockSize = 512

    /// The header block(s) for this entry, PAX record first if needed.
    func encoded() -> ByteBuffer {
        let name = kind == .folder && !path.hasSuffix("/") ? path + "/" : path
        var buffer = ByteBuffer()
        var records: [(String, String)] = []
        if name.utf8.count > 100 { records.append(("path", name)) }
        if linkTarget.utf8.count > 100 { records.append(("linkpath", linkTarget)) }
        if size > 0o77777777777 { records.append(("size", String(size))) }
        if !records.isEmpty {
            let body = records.map(Self.paxRecord).joined()
            var pax = Self.block(name: "././@PaxHeader", kind: 0x78, size: body.utf8.count, mode: 0o644, modified: modified, linkTarget: "")
            buffer.writeBuffer(&pax)
            buffer.writeString(body)
            buffer.writeRepeatingByte(0, count: Self.padding(body.utf8.count))
        }
        var header = Self.block(name: Self.truncated(name, 100), kind: kind.rawValue, size: size > 0o77777777777 ? 0 : size,
                                mode: mode, modified: modified, linkTarget: Self.truncated(linkTarget, 100))
        buffer.writeBuffer(&header)
        return buffer
    }

    /// Zero bytes that round `size` up to whole blocks.
    static func padding(_ size: Int) -> Int {
        (blockSize - size % blockSize) % blockSize
    }

    /// `"<length> key=value\n"`, where the length counts the whole record including itself.
    static func paxRecord(_ key: String, _ value: String) -> String {
        let rest = " \(key)=\(value)\n".utf8.count
        var length = rest + String(rest).count
        if String(length).count != String(rest).count { length = rest + String(length).count }
        return "\(length) \(key)=\(value)\n"
    }

    private static func truncated(_ text: String, _ limit: Int) -> String {
        var result = ""
        for character in text where result.utf8.count + String(character).utf8.count <= limit {
            result.append(character)
        }
        return result
    }

    private static func block(name: String, kind: UInt8, size: Int, mode: Int, modified: Int, linkTarget: String) -> ByteBuffer {
        var bytes = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { bytes[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(mode & 0o7777, at: 100, width: 8)
        octal(0, at: 108, width: 8) // uid: the docker CLI sends everything as root's
        octal(0, at: 116, width: 8) // gid
        octal(size, at: 124, width: 12)
        octal(max(0, modified), at: 136, width: 12)
        bytes[156] = kind
        put(linkTarget, at: 157, width: 100)
        put("ustar\u{0}00", at: 257, width: 8)
        // The checksum is computed with its own field as spaces.
        for index in 148..<156 { bytes[index] = 0x20 }
        let checksum = bytes.reduce(0) { $0 + Int($1) }
        let digits = String(checksum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, width: 6)
        bytes[154] = 0
        bytes[155] = 0x20
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return buffer
    }
}
