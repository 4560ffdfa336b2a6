/// The host of an absolute `https://host[:port]/…` URL, lower-cased.
enum URLHost {
    static func of(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "" }
        return url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != ":" && $0 != "?" }.lowercased()
    }
}
