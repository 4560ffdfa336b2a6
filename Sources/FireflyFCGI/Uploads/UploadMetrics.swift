import CoreMetrics
import FireflyMetrics

/// Upload bytes received and the states uploads enter.
enum UploadMetrics {
    static let received = Counter(label: MetricCatalogue.uploadBytes.name)

    static func entered(_ state: String) {
        Counter(label: MetricCatalogue.uploadStates.name, dimensions: [("state", state)]).increment()
    }
}
