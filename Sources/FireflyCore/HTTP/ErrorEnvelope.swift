import FoundationEssentials

/// `{"error":{"code","message","request_id"}}`
struct ErrorEnvelope: Encodable {
    struct Body: Encodable {
        let code: String
        let message: String
        let request_id: String
    }
    let error: Body
}
