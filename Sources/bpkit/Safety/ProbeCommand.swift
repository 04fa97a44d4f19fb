import ArgumentParser
import Foundation
import HDF5

/// `bpkit probe-hdf5 FILE`: walks an HDF5 file's structure and reads its
/// small datasets, so that the parent process knows whether libhdf5 can
/// parse the file without crashing. Run by ``UntrustedHDF5``; not for people.
struct ProbeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe-hdf5",
    abstract: "Parse an HDF5 file's structure in a child process (used by bpkit itself).",
    shouldDisplay: false
  )

  @Argument var file: String

  /// Datasets up to this size are read whole: their chunk indexes and
  /// filters are exercised, while big data stays unread.
  static let readLimit = 16 << 20

  func run() throws {
    // A loop inside libhdf5 ends with SIGXCPU, a runaway allocation fails.
    Self.limit(RLIMIT_CPU, to: 20)
    Self.limit(RLIMIT_AS, to: 16 << 30)
    Self.limit(RLIMIT_CORE, to: 0)
    try HDF5Plugins.setLoadingEnabled(false)
    let file = try HDF5File(openingAtPath: file)
    try walk(try file.root)
  }

  private static func limit(_ resource: __rlimit_resource, to value: Int) {
    var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
    _ = setrlimit(__rlimit_resource_t(resource.rawValue), &limit)
  }

  private func walk(_ group: HDF5Group) throws {
    try readAttributes(of: group)
    for name in try group.children() {
      switch try group.kindOfChild(name) {
      case .group: try walk(try group.openGroup(name))
      case .dataset: try read(try group.openDataset(name))
      case .softLink, .externalLink, .other: continue
      }
    }
  }

  private func readAttributes(of object: HDF5Object) throws {
    for name in try object.attributeNames() {
      _ = try? object.stringAttribute(name)
      _ = try? object.attributeArray(name, as: Float64.self)
    }
  }

  private func read(_ dataset: HDF5Dataset) throws {
    try readAttributes(of: dataset)
    let storage = try dataset.storage()
    // Never reach into other files.
    guard storage.layout != .virtual, storage.externalFileCount == 0 else { return }
    let bytes = HDF5Dataset.checkedCount(of: dataset.shape, elementSize: dataset.elementType?.byteCount ?? 8)
    guard let bytes, bytes <= Self.readLimit else { return }
    switch dataset.elementType {
    case .float32: _ = try? dataset.read(as: Float.self)
    case .float64: _ = try? dataset.read(as: Double.self)
    case .int32: _ = try? dataset.read(as: Int32.self)
    case .int64: _ = try? dataset.read(as: Int64.self)
    case .uint8: _ = try? dataset.read(as: UInt8.self)
    case .uint32: _ = try? dataset.read(as: UInt32.self)
    case .uint64: _ = try? dataset.read(as: UInt64.self)
    case nil: if dataset.holdsStrings { _ = try? dataset.readStrings() }
    }
  }
}
