/// Sent down every connection from nginx when the proxy stops: an idle connection closes now, one
/// with an exchange in flight closes after its response.
public struct ProxyDrainEvent: Sendable {
    public init() {}
}
