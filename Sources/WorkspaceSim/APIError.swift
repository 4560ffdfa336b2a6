import FoundationEssentials
import Hummingbird

/// An error in Databricks' shape: `{"error_code","message","details":[RequestInfo]}` and its status.
public struct APIError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let errorCode: String
    public let message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ errorCode: String, _ message: String) {
        self.status = status
        self.errorCode = errorCode
        self.message = message
    }

    static func invalidParameter(_ message: String) -> APIError { APIError(.badRequest, "INVALID_PARAMETER_VALUE", message) }
    static func notFound(_ code: String, _ message: String) -> APIError { APIError(.notFound, code, message) }
    static func permissionDenied(_ message: String) -> APIError { APIError(.forbidden, "PERMISSION_DENIED", message) }
    static let unauthenticated = APIError(.unauthorized, "UNAUTHENTICATED", "Invalid access token.")
    static func endpointNotFound(_ path: String) -> APIError { APIError(.notFound, "ENDPOINT_NOT_FOUND", "No API found for '\(path)'") }
    static func malformed(_ message: String) -> APIError { APIError(.badRequest, "MALFORMED_REQUEST", message) }

    /// The response, with a request id in the details.
    func response(requestID: String) -> Response {
        struct Detail: Encodable {
            let type = "type.googleapis.com/google.rpc.RequestInfo"
            let request_id: String
            let serving_data = ""
            enum CodingKeys: String, CodingKey { case type = "@type", request_id, serving_data }
        }
        struct Body: Encodable {
            let error_code: String
            let message: String
            let details: [Detail]
        }
        var response = JSONResponse.make(status: status, Body(error_code: errorCode, message: message, details: [Detail(request_id: requestID)]))
        for field in headers { response.headers.append(field) }
        return response
    }
}

