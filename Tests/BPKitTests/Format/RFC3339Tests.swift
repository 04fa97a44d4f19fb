import Foundation
import Testing

@testable import BPKit

@Suite struct RFC3339Tests {
  @Test func roundTripsDatesExactly() {
    var random = TestRandom(seed: 11)
    for _ in 0..<2000 {
      let seconds = Double(random.next() % 4_000_000_000) - 1_000_000_000 + Double(random.unit())
      let date = Date(timeIntervalSinceReferenceDate: seconds)
      let text = RFC3339.string(from: date)
      #expect(RFC3339.date(from: text) == date, "\(text)")
    }
  }

  @Test func writesUTCWithNineFractionalDigits() {
    #expect(RFC3339.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000000Z")
    #expect(RFC3339.string(from: Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500000000Z")
  }

  @Test func readsOffsetsAndRejectsOtherForms() {
    #expect(RFC3339.date(from: "2000-02-29T01:30:00+01:30") == Date(timeIntervalSince1970: 951_782_400))
    #expect(RFC3339.date(from: "2000-02-29T00:00:00Z") == Date(timeIntervalSince1970: 951_782_400))
    for bad in ["2000-02-29", "2000-13-01T00:00:00Z", "2000-02-29T00:00:00", "2000-02-29T00:00:00.Z", "x"] {
      #expect(RFC3339.date(from: bad) == nil, "\(bad)")
    }
  }
}
