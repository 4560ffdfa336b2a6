import FireflyCore

/// What the gateway handlers need in a worker: the workspace client and the metadata cache.
public struct Gateway: Sendable {
    public let client: WorkspaceClient
    public let cache: MetadataCache
    public let settings: GatewaySettings

    public init(client: WorkspaceClient, cache: MetadataCache, settings: GatewaySettings) {
        self.client = client
        self.cache = cache
        self.settings = settings
    }
}

