import Foundation
import HDF5

extension HDF5Probe {
  /// The probe program: walks the structure of the HDF5 file named by the
  /// last argument and reads its attributes and small datasets, under limits
  /// on processor time and memory, so that the parent learns whether libhdf5
  /// can parse the file without crashing.
  ///
  /// `bpkit-probe` is this function and nothing else; a program that wants
  /// to be its own probe calls it when started with its probe arguments.
  ///
  /// A last argument of `-` alone means the file is held in memory by the
  /// parent, which sends its bytes as standard input
  /// (``HDF5Probe/check(image:name:)``): the probe opens them as a file image.
  ///
  /// - Returns: The exit status: 0 when the walk finished, 1 when libhdf5
  ///   reported an error, 2 without a file argument. The parent refuses the
  ///   file for a signal (a crash), for running out of time, and for an
  ///   error of libhdf5 (``HDF5Probe/check(_:)``).
  public static func runChild(arguments: [String]) -> Int32 {
    guard let path = arguments.last else { return 2 }
    // A loop inside libhdf5 ends with SIGXCPU, a runaway allocation fails.
    limit(RLIMIT_CPU, to: cpuSeconds)
    limit(RLIMIT_AS, to: memoryBytes)
    limit(RLIMIT_CORE, to: 0)
    do {
      try HDF5Plugins.setLoadingEnabled(false)
      let file = try path == "-" ? imageOnStandardInput() : HDF5File(openingAtPath: path)
      try walk(try file.root)
      return 0
    } catch {
      return 1
    }
  }

  private struct NoImage: Error {}

  /// The HDF5 file image given as standard input, read to its end.
  private static func imageOnStandardInput() throws -> HDF5File {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { throw NoImage() }
      if count == 0 { break }
      bytes.append(contentsOf: chunk[..<count])
    }
    guard !bytes.isEmpty else { throw NoImage() }
    return try bytes.withUnsafeBytes { try HDF5File(image: $0, name: "standard input") }
  }

  private static func limit(_ resource: __rlimit_resource, to value: Int) {
    var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
    _ = setrlimit(__rlimit_resource_t(resource.rawValue), &limit)
  }

  /// Visits every object once, however many links name it, without recursion.
  private static func walk(_ root: HDF5Group) throws {
    var pending = [root]
    var seen = Set<HDF5ObjectIdentity>()
    try readAttributes(of: root)
    while let group = pending.popLast() {
      for name in try group.children() {
        let kind = try group.kindOfChild(name)
        guard kind == .group || kind == .dataset else { continue }
        guard seen.insert(try group.identityOfChild(name)).inserted else { continue }
        if kind == .group {
          let child = try group.openGroup(name)
          try readAttributes(of: child)
          pending.append(child)
        } else {
          try read(try group.openDataset(name))
        }
      }
    }
  }

  /// Reads every attribute of a type the readers take. One that libhdf5
  /// cannot read within the probe's limits (a string whose stored length is
  /// damaged makes it allocate and clear gigabytes) makes the walk fail.
  private static func readAttributes(of object: HDF5Object) throws {
    for name in try object.attributeNames() {
      switch try object.attributeContent(name) {
      case .strings: _ = try object.stringArrayAttribute(name)
      case .numbers(.float32): _ = try object.attributeArray(name, as: Float.self)
      case .numbers(.float64): _ = try object.attributeArray(name, as: Double.self)
      case .numbers(.int32): _ = try object.attributeArray(name, as: Int32.self)
      case .numbers(.int64): _ = try object.attributeArray(name, as: Int64.self)
      case .numbers(.uint8): _ = try object.attributeArray(name, as: UInt8.self)
      case .numbers(.uint32): _ = try object.attributeArray(name, as: UInt32.self)
      case .numbers(.uint64): _ = try object.attributeArray(name, as: UInt64.self)
      case .other: continue
      }
    }
  }

  private static func read(_ dataset: HDF5Dataset) throws {
    try readAttributes(of: dataset)
    let storage = try dataset.storage()
    // Never reach into other files.
    guard storage.layout != .virtual, storage.externalFileCount == 0 else { return }
    let (bytes, overflow) = dataset.shape.reduce((dataset.elementType?.byteCount ?? 8, false)) {
      let (product, overflow) = $0.0.multipliedReportingOverflow(by: $1)
      return (product, $0.1 || overflow)
    }
    guard !overflow, bytes >= 0, bytes <= readLimit else { return }
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
