import HDF5

/// The loading policy for files bpkit did not necessarily write.
///
/// The HDF Group states that libhdf5 is not designed to read maliciously
/// crafted files safely, so bpkit looks at a file's structure before reading
/// any data from it, and refuses what it never writes itself: links out of
/// the file or to other paths, external raw-data files, virtual datasets,
/// filters that need plugins, element types other than numbers and strings,
/// and datasets that declare far more data than the file holds (a "shape
/// bomb" that would make a reader allocate memory it cannot fill). The HDF5
/// signature is checked by ``HDF5File`` before libhdf5 opens the file.
enum FilePolicy {
  /// Filters built into libhdf5: deflate (1), shuffle (2) and Fletcher32 (3).
  static let builtInFilters: Set<Int> = [1, 2, 3]

  /// The largest factor by which filtered data may exceed the file's size:
  /// deflate's best case is about 1032:1 (zlib technical details).
  static let maximumExpansion = 1100

  /// How far the filtered datasets of one file may expand in all, beyond
  /// the bytes they occupy: ``expansionFactor`` times the file's size, and
  /// at least ``expansionFloor`` bytes. Deflate's best case would let a 3 MB
  /// file declare 3.3 GB of data that all reads as zeros; bpkit writes no
  /// filtered data, and real weights, samples and orders compress far less.
  static let expansionFactor = 32
  /// The expansion every file may use, however small (64 MiB).
  static let expansionFloor = 64 << 20

  /// The expansion allowed to the filtered data of a file of `fileSize` bytes.
  static func expansionBudget(fileSize: Int) -> Int {
    max(expansionFloor, fileSize.multipliedReportingOverflow(by: expansionFactor).0)
  }

  /// Turns off libhdf5's loading of filter plugins for this process, so that
  /// no file can make bpkit load a shared library.
  static func prepareLibrary() throws {
    if try HDF5Plugins.isLoadingEnabled() {
      try HDF5Plugins.setLoadingEnabled(false)
    }
  }

  /// Walks every object under `root` once and checks every link and dataset.
  ///
  /// The walk keeps a list of groups still to visit rather than recursing,
  /// and visits each object once however many hard links name it, so a
  /// group that links to itself or nests deeply ends the walk instead of
  /// exhausting the stack.
  static func check(_ root: HDF5Group, fileSize: Int, file: String) throws {
    var pending = [root]
    var seen = Set<HDF5ObjectIdentity>()
    var expansion = Expansion(budget: expansionBudget(fileSize: fileSize))
    while let group = pending.popLast() {
      for name in try group.children() {
        let path = FileReader.join(group.path, name)
        let kind = try kind(of: name, in: group, path: path, file: file)
        if kind == .group || kind == .dataset {
          guard seen.insert(try group.identityOfChild(name)).inserted else {
            throw FormatError.refused(file: file, path: path, reason: .repeatedObject)
          }
        }
        switch kind {
        case .group:
          pending.append(try group.openGroup(name))
        case .dataset:
          try check(try group.openDataset(name), fileSize: fileSize, file: file, expansion: &expansion)
        case .softLink:
          throw FormatError.refused(
            file: file, path: path, reason: .softLink(target: (try? group.softLinkTarget(name)) ?? "?"))
        case .externalLink:
          throw FormatError.refused(file: file, path: path, reason: .externalLink(target: "another file"))
        case .other:
          throw FormatError.refused(file: file, path: path, reason: .unsupportedObject)
        }
      }
    }
  }

  private static func kind(of name: String, in group: HDF5Group, path: String, file: String) throws
    -> HDF5Group.ChildKind
  {
    do {
      return try group.kindOfChild(name)
    } catch {
      // A user-defined link type: libhdf5 cannot say what it points to.
      throw FormatError.refused(file: file, path: path, reason: .unsupportedObject)
    }
  }

  /// The bytes the filtered datasets walked so far declare beyond what they
  /// occupy in the file, against the file's budget.
  struct Expansion {
    var budget: Int
    var used = 0
  }

  static func check(_ dataset: HDF5Dataset, fileSize: Int, file: String, expansion: inout Expansion) throws {
    guard dataset.elementType != nil || dataset.holdsStrings else {
      throw FormatError.refused(file: file, path: dataset.path, reason: .unsupportedElementType)
    }
    let storage = try dataset.storage()
    if storage.layout == .virtual {
      throw FormatError.refused(file: file, path: dataset.path, reason: .virtualDataset)
    }
    if storage.externalFileCount > 0 {
      throw FormatError.refused(
        file: file, path: dataset.path, reason: .externalStorage(files: storage.externalFileCount))
    }
    if let filter = storage.filters.first(where: { !builtInFilters.contains($0.id) }) {
      throw FormatError.refused(
        file: file, path: dataset.path, reason: .unsupportedFilter(id: filter.id, name: filter.name))
    }
    // A variable-length string is stored as a 16-byte reference into the
    // file's global heap (HDF5 File Format Specification, section IV.A.2.d).
    let elementSize = dataset.elementType?.byteCount ?? 16
    let declared = HDF5Dataset.checkedCount(of: dataset.shape, elementSize: elementSize)
    // Filtered data can expand up to `maximumExpansion` times, but only from
    // the bytes actually allocated for it: chunks never written read as fill
    // values, which would let a small file declare gigabytes. Strings get no
    // such allowance: compressed references can all name one string of the
    // heap, and reading allocates each element on its own, so a few hundred
    // kilobytes could ask for millions of allocations.
    let limit =
      storage.filters.isEmpty || dataset.elementType == nil
      ? fileSize : min(storage.allocatedBytes, fileSize).multipliedReportingOverflow(by: maximumExpansion).0
    if declared.map({ $0 > limit }) ?? true {
      throw FormatError.refused(
        file: file, path: dataset.path,
        reason: .declaredSizeTooLarge(declaredBytes: declared ?? Int.max, fileBytes: fileSize))
    }
    // Each filtered dataset is within deflate's ratio; together they must
    // also fit the file's budget, before any of them is read.
    if !storage.filters.isEmpty, let declared {
      expansion.used += max(0, declared - min(storage.allocatedBytes, declared))
      if expansion.used > expansion.budget {
        throw FormatError.refused(
          file: file, path: dataset.path,
          reason: .expandsTooFar(expandedBytes: expansion.used, budgetBytes: expansion.budget, fileBytes: fileSize))
      }
    }
  }
}
