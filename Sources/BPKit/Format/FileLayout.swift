import Foundation

/// The names of bpkit's HDF5 layout, version 1 (documented field by field in
/// `Schemas/FORMAT.md` and the CheckpointFormat article).
enum FileLayout {
  // Root attributes.
  static let kindAttribute = "bpkit_kind"
  static let versionAttribute = "format_version"
  static let bpkitVersionAttribute = "bpkit_version"
  static let createdAtAttribute = "created_at"
  static let createdAtUnixAttribute = "created_at_unix"

  /// The CRC-32 attribute every dataset carries.
  static let checksumAttribute = "crc32"

  // The model part.
  static let network = "network"
  static let weights = "weights"

  // The checkpoint part.
  static let optimizer = "optimizer"
  static let slots = "slots"
  static let training = "training"
  static let progress = "progress"
  static let order = "order"
  static let randomState = "random_state"
  static let history = "history"
  static let data = "data"
  static let validationData = "validation_data"

  /// The network description as the JSON that the published schema describes:
  /// `NetworkDescription`'s Codable form with sorted keys, so the same network
  /// always gives the same text.
  static func encodeNetwork(_ network: NetworkDescription) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(network), as: UTF8.self)
  }

  /// ISO 8601 with milliseconds, in UTC, for the human-readable `created_at`
  /// (`2026-11-18T11:06:40.125Z`). Formatted by hand: an ISO8601DateFormatter
  /// costs more to create than writing a small checkpoint.
  static func isoDate(_ date: Date) -> String {
    let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
    let fraction = Int(milliseconds - Int64(seconds) * 1000)
    if fraction < 0 { seconds -= 1 }
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ value: Int32, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
      + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
      + "\(pad(Int32((fraction + 1000) % 1000), 3))Z"
  }
}

/// What a bpkit file holds.
public enum BPKitFileKind: String, Sendable, CaseIterable, CustomStringConvertible {
  /// A network description and its weights.
  case model
  /// A model and the state of the training run that produced it.
  case checkpoint

  public var description: String { rawValue }
}
