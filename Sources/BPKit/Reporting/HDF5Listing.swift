import Foundation
import HDF5

/// The listing `bpkit ls` prints of any HDF5 file (bpkit's, Keras', h5py's):
/// one line per group (`name/`), dataset (`name  float32 [150, 4]`) and link,
/// indented two spaces per level, and with ``HDF5Listing/init(contentsOf:attributes:trust:)``'s
/// `attributes` each attribute as `@name = value`, shortened past 100 characters.
///
/// Opening the file follows the opening policy (``BPKitFile/openHDF5(_:trust:checkStructure:)``)
/// but skips the structural rules, since a listing follows no link and reads
/// no dataset. Each object is listed once: a second hard link to an object
/// already listed (a group that contains itself) is named, not entered. Names
/// and values from the file are escaped (``PrintableText/escaped(_:keepingLineBreaks:)``), so no
/// terminal escape passes.
public struct HDF5Listing: Sendable {
  /// The lines, without line feeds.
  public let lines: [String]

  /// Lists the file at `url`.
  ///
  /// - Parameters:
  ///   - url: An HDF5 file.
  ///   - attributes: Whether to list attributes and their values.
  ///   - trust: Whether to skip the child-process probe (``FileTrust``).
  /// - Throws: ``BPKitError`` when the file cannot be opened or read.
  public init(contentsOf url: URL, attributes: Bool = false, trust: FileTrust = .untrusted) throws(BPKitError) {
    do {
      let file = try BPKitFile.openHDF5(url, trust: trust, checkStructure: false)
      var lines: [String] = []
      var seen = Set<HDF5ObjectIdentity>()
      try Self.list(try file.root, depth: 0, attributes: attributes, seen: &seen, into: &lines)
      self.lines = lines
    } catch {
      throw BPKitError(error)
    }
  }

  /// The listing as `bpkit ls` prints it: each line ended by a line feed.
  public var text: String { lines.map { $0 + "\n" }.joined() }

  private static func list(
    _ group: HDF5Group, depth: Int, attributes: Bool, seen: inout Set<HDF5ObjectIdentity>, into lines: inout [String]
  ) throws {
    let indent = String(repeating: "  ", count: depth)
    if attributes { try listAttributes(of: group, indent: indent, into: &lines) }
    for name in try group.children() {
      let kind = try group.kindOfChild(name)
      let shown = PrintableText.escaped(name)
      if kind == .group || kind == .dataset, !seen.insert(try group.identityOfChild(name)).inserted {
        lines.append("\(indent)\(shown)  -> hard link to an object listed above")
        continue
      }
      switch kind {
      case .group:
        lines.append("\(indent)\(shown)/")
        try list(try group.openGroup(name), depth: depth + 1, attributes: attributes, seen: &seen, into: &lines)
      case .dataset:
        let dataset = try group.openDataset(name)
        let type = dataset.elementType?.description ?? (dataset.holdsStrings ? "string" : "other")
        lines.append("\(indent)\(shown)  \(type) \(dataset.shape)")
        if attributes { try listAttributes(of: dataset, indent: indent + "    ", into: &lines) }
      case .softLink: lines.append("\(indent)\(shown)  -> soft link")
      case .externalLink: lines.append("\(indent)\(shown)  -> external link (not followed)")
      case .other: lines.append("\(indent)\(shown)  (named type)")
      }
    }
  }

  private static func listAttributes(of object: HDF5Object, indent: String, into lines: inout [String]) throws {
    for name in try object.attributeNames() {
      lines.append(
        "\(indent)@\(PrintableText.escaped(name)) = "
          + PrintableText.escaped(shortened(try describeAttribute(name, of: object))))
    }
  }

  private static func describeAttribute(_ name: String, of object: HDF5Object) throws -> String {
    if let strings = try? object.stringArrayAttribute(name) {
      return strings.count == 1 ? strings[0] : "\(strings)"
    }
    for read in [
      { try object.attributeArray(name, as: Float.self).description },
      { try object.attributeArray(name, as: Double.self).description },
      { try object.attributeArray(name, as: Int64.self).description },
      { try object.attributeArray(name, as: Int32.self).description },
      { try object.attributeArray(name, as: UInt64.self).description },
      // bpkit's own @crc32 checksums are uint32.
      { try object.attributeArray(name, as: UInt32.self).description },
      { try object.attributeArray(name, as: UInt8.self).description },
    ] {
      if let text = try? read() { return text }
    }
    return "(unsupported type)"
  }

  private static func shortened(_ text: String) -> String {
    let flat = text.replacingOccurrences(of: "\n", with: " ")
    return flat.count > 100 ? flat.prefix(97) + "..." : flat
  }
}
