import NIOCore
import NIOEmbedded

extension EmbeddedChannel {
    /// Everything written to the channel since the last call, as text.
    func outboundText() throws -> String {
        var text = ""
        while let data = try readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
        }
        return text
    }
}
