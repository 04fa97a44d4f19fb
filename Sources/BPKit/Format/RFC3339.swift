import Foundation

/// bpkit's one date format: RFC 3339 text in UTC.
///
/// Documents carry nine or more fractional digits
/// (`2026-11-29T08:31:22.123456789Z`), which round-trip a `Date` exactly: for
/// dates of this century a nanosecond is below the resolution of its 64-bit
/// seconds count, and nearer to 2001 more digits are written. The
/// human-readable `created_at` attribute of HDF5 files has milliseconds
/// (``string(from:fractionDigits:rounding:)``). Formatted by hand: a
/// date formatter costs more to create than writing a small checkpoint.
enum RFC3339 {
  private static let referenceToUnix: Int64 = 978_307_200

  static func string(from date: Date) -> String {
    // Nine digits suffice for dates within decades of 2001; nearer to it a
    // Date resolves finer, so add digits until the text reads back exactly.
    var text = ""
    for digits in 9...18 {
      text = string(from: date, fractionDigits: digits)
      if Self.date(from: text) == date { break }
    }
    return text
  }

  /// The date with `fractionDigits` digits of its second, the last one
  /// rounded by `rounding` (`.down` truncates).
  static func string(
    from date: Date, fractionDigits: Int, rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero
  ) -> String {
    let interval = date.timeIntervalSinceReferenceDate
    let scale = (0..<fractionDigits).reduce(Int64(1)) { value, _ in value * 10 }
    var whole = interval.rounded(.down)
    var fraction: Int64
    if rounding == .down && fractionDigits < 9 {
      // Truncate the scaled count since 1970, as people read it: counted
      // from 2001, .999 s would be 0.99899995... and read .998.
      let units = (date.timeIntervalSince1970 * Double(scale)).rounded(.down)
      let unixWhole = (units / Double(scale)).rounded(.down)
      fraction = Int64(units - unixWhole * Double(scale))
      whole = unixWhole - Double(referenceToUnix)
    } else {
      fraction = Int64(((interval - whole) * Double(scale)).rounded(rounding))
    }
    if fraction == scale {
      whole += 1
      fraction = 0
    }
    let unix = Int64(whole) + referenceToUnix
    let days = unix >= 0 ? unix / 86_400 : (unix - 86_399) / 86_400
    let secondsOfDay = unix - days * 86_400
    let (year, month, day) = civil(fromDays: days)
    let digits = String(fraction)
    return String(
      format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.", year, month, day, secondsOfDay / 3600,
      secondsOfDay / 60 % 60, secondsOfDay % 60)
      + String(repeating: "0", count: fractionDigits - digits.count) + digits + "Z"
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `nil` when the text is not of that form.
  static func date(from text: String) -> Date? {
    let bytes = Array(text.utf8)
    func number(_ range: Range<Int>) -> Int64? {
      guard range.upperBound <= bytes.count, range.allSatisfy({ (0x30...0x39).contains(bytes[$0]) }) else {
        return nil
      }
      return Int64(String(decoding: bytes[range], as: UTF8.self))
    }
    func byte(_ index: Int, is character: Character) -> Bool {
      index < bytes.count && bytes[index] == character.asciiValue!
    }
    guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"),
      let day = number(8..<10), byte(10, is: "T") || byte(10, is: "t"), let hour = number(11..<13),
      byte(13, is: ":"), let minute = number(14..<16), byte(16, is: ":"), let second = number(17..<19),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var index = 19
    var fraction = 0.0
    if byte(index, is: ".") {
      let start = index + 1
      index = start
      while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
      guard index > start, let value = Double("0." + String(decoding: bytes[start..<index], as: UTF8.self)) else {
        return nil
      }
      fraction = value
    }
    var offset: Int64 = 0
    if byte(index, is: "Z") || byte(index, is: "z") {
      index += 1
    } else if byte(index, is: "+") || byte(index, is: "-"), let hours = number(index + 1..<index + 3),
      byte(index + 3, is: ":"), let minutes = number(index + 4..<index + 6)
    {
      offset = (hours * 60 + minutes) * 60 * (byte(index, is: "-") ? -1 : 1)
      index += 6
    } else {
      return nil
    }
    guard index == bytes.count else { return nil }
    let unix = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    return Date(timeIntervalSinceReferenceDate: Double(unix - referenceToUnix) + fraction)
  }

  /// Howard Hinnant's `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html).
  private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// Howard Hinnant's `days_from_civil`.
  private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}
