import ArgumentParser
import BPKit
import Foundation
import HDF5

/// `bpkit ls`: lists the groups, datasets and attributes of any HDF5 file.
struct LsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List the groups, datasets and attributes of an HDF5 file.",
    discussion: """
      Works on any HDF5 file, bpkit's or another program's (Keras, h5py). Each \
      dataset is shown with its element type and shape; attributes are listed \
      with --attributes.
      """
  )

  @Argument(help: "The HDF5 file to list.")
  var file: String

  @Flag(name: .shortAndLong, help: "Also list attributes and their values (long ones are shortened).")
  var attributes = false

  func run() throws {
    try ExitStatus.reporting {
      // A listing follows no link and reads no data, so only the structural
      // rules are skipped; the file is still contained by the probe.
      let file = try BPKitFile.openHDF5(URL(fileURLWithPath: file), checkStructure: false)
      var seen = Set<HDF5ObjectIdentity>()
      try list(try file.root, depth: 0, seen: &seen)
    }
  }

  /// Lists `group`, each object once: a second hard link to an object
  /// already listed (a group that contains itself) is named, not entered.
  private func list(_ group: HDF5Group, depth: Int, seen: inout Set<HDF5ObjectIdentity>) throws {
    let indent = String(repeating: "  ", count: depth)
    if attributes { try listAttributes(of: group, indent: indent) }
    for name in try group.children() {
      let kind = try group.kindOfChild(name)
      // Names come from the file: no terminal escapes pass.
      let shown = PrintableText.escaped(name)
      if kind == .group || kind == .dataset, !seen.insert(try group.identityOfChild(name)).inserted {
        print("\(indent)\(shown)  -> hard link to an object listed above")
        continue
      }
      switch kind {
      case .group:
        print("\(indent)\(shown)/")
        try list(try group.openGroup(name), depth: depth + 1, seen: &seen)
      case .dataset:
        let dataset = try group.openDataset(name)
        let type = dataset.elementType?.description ?? (dataset.holdsStrings ? "string" : "other")
        print("\(indent)\(shown)  \(type) \(dataset.shape)")
        if attributes { try listAttributes(of: dataset, indent: indent + "    ") }
      case .softLink: print("\(indent)\(shown)  -> soft link")
      case .externalLink: print("\(indent)\(shown)  -> external link (not followed)")
      case .other: print("\(indent)\(shown)  (named type)")
      }
    }
  }

  private func listAttributes(of object: HDF5Object, indent: String) throws {
    for name in try object.attributeNames() {
      print(
        "\(indent)@\(PrintableText.escaped(name)) = "
          + PrintableText.escaped(shortened(try describeAttribute(name, of: object))))
    }
  }

  private func describeAttribute(_ name: String, of object: HDF5Object) throws -> String {
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

  private func shortened(_ text: String) -> String {
    let flat = text.replacingOccurrences(of: "\n", with: " ")
    return flat.count > 100 ? flat.prefix(97) + "..." : flat
  }
}
