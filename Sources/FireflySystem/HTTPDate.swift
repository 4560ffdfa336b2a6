/// HTTP dates (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 IMF-fixdate) without Foundation.
public enum HTTPDate {
    /// The date for seconds since the epoch.
    public static func format(seconds: Int64) -> String {
        let days = Int(seconds / 86_400), rest = Int(seconds % 86_400)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let (year, month, day) = CivilDate.components(days: days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekdays[days % 7]), \(two(day)) \(months[month - 1]) \(year) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) GMT"
    }

    /// The date for milliseconds since the epoch.
    public static func format(milliseconds: Int64) -> String { format(seconds: milliseconds / 1000) }
}

