import Foundation
import Testing
import _BPKitTestSupport

@testable import HDF5

@Suite struct DatasetTests {
  static let shapes: [[Int]] = [[], [5], [3, 4], [2, 3, 4], [0, 3]]

  /// Values for a shape: distinct per position, exact in every element type.
  static func values<T: HDF5Scalar & Numeric>(_: T.Type, count: Int) -> [T] {
    (0..<count).map { T(exactly: ($0 * 7 + 3) % 251)! }
  }

  func roundTrip<T: HDF5Scalar & Numeric & Equatable>(_ type: T.Type, options: HDF5DatasetOptions = .init()) throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("roundtrip.h5")
    let shapes = options == .init() ? Self.shapes : Self.shapes.filter { !$0.isEmpty }
    do {
      let file = try HDF5File.create(atPath: path)
      let root = try file.root
      for shape in shapes {
        let values = Self.values(T.self, count: shape.reduce(1, *))
        try root.write(values, shape: shape, to: "rank\(shape.count)_\(shape.reduce(1, *))", options: options)
      }
      try file.close()
    }
    let root = try HDF5File(openingAtPath: path).root
    for shape in shapes {
      let dataset = try root.openDataset("rank\(shape.count)_\(shape.reduce(1, *))")
      #expect(dataset.shape == shape)
      #expect(dataset.elementType == T.hdf5ElementType)
      #expect(try dataset.read(as: T.self) == Self.values(T.self, count: shape.reduce(1, *)))
    }
  }

  @Test func roundTripsEveryElementTypeAndRank() throws {
    try roundTrip(Float.self)
    try roundTrip(Double.self)
    try roundTrip(Int32.self)
    try roundTrip(Int64.self)
    try roundTrip(UInt8.self)
    try roundTrip(UInt32.self)
    try roundTrip(UInt64.self)
  }

  @Test func roundTripsWithCompressionShuffleAndChecksum() throws {
    let options = HDF5DatasetOptions(deflateLevel: 6, shuffle: true, fletcher32: true)
    try roundTrip(Float.self, options: options)
    try roundTrip(Int64.self, options: options)
    try roundTrip(Double.self, options: .init(chunkShape: nil, deflateLevel: 1))
  }

  @Test func compressionShrinksRepetitiveData() throws {
    let folder = try TemporaryDirectory()
    let plain = folder.path("plain.h5"), packed = folder.path("packed.h5")
    let values = [Float](repeating: 0.5, count: 100_000)
    for (path, options) in [
      (plain, HDF5DatasetOptions()), (packed, HDF5DatasetOptions(deflateLevel: 6, shuffle: true)),
    ] {
      let file = try HDF5File.create(atPath: path)
      try file.root.write(values, shape: [100_000], to: "x", options: options)
      try file.close()
    }
    let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }
    #expect(try size(packed) * 10 < size(plain))
    #expect(try HDF5File(openingAtPath: packed).root.openDataset("x").read(as: Float.self) == values)
  }

  @Test func readsRowRangesForStreaming() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("rows.h5")
    let values = (0..<60).map(Float.init)
    try HDF5File.create(atPath: path).root.write(values, shape: [10, 3, 2], to: "x")
    let dataset = try HDF5File(openingAtPath: path).root.openDataset("x")
    var rows = [Float](repeating: -1, count: 3 * 6)
    try rows.withUnsafeMutableBufferPointer { try dataset.readRows(4..<7, into: $0) }
    #expect(rows == Array(values[24..<42]))
    #expect(throws: HDF5Error.self) {
      try rows.withUnsafeMutableBufferPointer { try dataset.readRows(8..<11, into: $0) }
    }
  }

  @Test func writesRowRangesForStreaming() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("rows.h5")
    let values = (0..<60).map(Float.init)
    do {
      let dataset = try HDF5File.create(atPath: path).root.createDataset("x", of: Float.self, shape: [10, 3, 2])
      for rows in [0..<4, 4..<7, 7..<10] {
        try values[rows.lowerBound * 6..<rows.upperBound * 6].withUnsafeBufferPointer {
          try dataset.writeRows(rows, from: $0)
        }
      }
      #expect(throws: HDF5Error.self) {
        try values[0..<18].withUnsafeBufferPointer { try dataset.writeRows(8..<11, from: $0) }
      }
    }
    #expect(try HDF5File(openingAtPath: path).root.openDataset("x").read(as: Float.self) == values)
  }

  @Test func stringDatasetsRoundTrip() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("strings.h5")
    let long = String(repeating: "{\"layer\": \"dense\"} ", count: 10_000)
    do {
      let root = try HDF5File.create(atPath: path).root
      try root.writeString(long, to: "json")
      try root.writeStrings(["α", "", "dense_1"], to: "names")
    }
    let root = try HDF5File(openingAtPath: path).root
    #expect(try root.openDataset("json").readString() == long)
    #expect(try root.openDataset("names").readStrings() == ["α", "", "dense_1"])
    #expect(try root.openDataset("names").holdsStrings)
  }

  @Test func typeMismatchIsAnError() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("types.h5")
    try HDF5File.create(atPath: path).root.write([Float](repeating: 1, count: 4), shape: [4], to: "x")
    let dataset = try HDF5File(openingAtPath: path).root.openDataset("x")
    let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Double.self) }
    #expect(error?.kind == .typeMismatch)
    #expect(error?.objectPath == "/x")
    #expect(error?.description.contains("float32") == true)
    let strings = #expect(throws: HDF5Error.self) { try dataset.readStrings() }
    #expect(strings?.kind == .typeMismatch)
  }

  @Test func wrongBufferSizeOrShapeIsAnError() throws {
    let folder = try TemporaryDirectory()
    let root = try HDF5File.create(atPath: folder.path("shape.h5")).root
    let error = #expect(throws: HDF5Error.self) {
      try root.write([Float](repeating: 0, count: 5), shape: [2, 3], to: "x")
    }
    #expect(error?.kind == .shapeMismatch)
    #expect(try !root.contains("x"))
    let dataset = try root.write([Float](repeating: 0, count: 6), shape: [2, 3], to: "y")
    var small = [Float](repeating: 0, count: 5)
    let readError = #expect(throws: HDF5Error.self) {
      try small.withUnsafeMutableBufferPointer { try dataset.read(into: $0) }
    }
    #expect(readError?.kind == .shapeMismatch)
    let negative = #expect(throws: HDF5Error.self) { try root.createDataset("z", of: Float.self, shape: [-1]) }
    #expect(negative?.kind == .invalidArgument)
    let scalarFilter = #expect(throws: HDF5Error.self) {
      try root.createDataset("s", of: Float.self, shape: [], options: .init(fletcher32: true))
    }
    #expect(scalarFilter?.kind == .invalidArgument)
  }

  @Test func automaticChunksStayNearOneMebibyte() {
    #expect(HDF5DatasetOptions.automaticChunkShape(for: [10], elementSize: 4) == [10])
    let chunk = HDF5DatasetOptions.automaticChunkShape(for: [100_000, 784], elementSize: 4)
    #expect(chunk.reduce(4, *) <= 1 << 20)
    #expect(chunk[1] == 784)
  }
}

@Suite struct CheckedCountTests {
  @Test func countsElementsAndBytes() {
    #expect(HDF5Dataset.checkedCount(of: []) == 1)
    #expect(HDF5Dataset.checkedCount(of: [3, 0, 5]) == 0)
    #expect(HDF5Dataset.checkedCount(of: [1437, 64], elementSize: 4) == 1437 * 64 * 4)
  }

  @Test func refusesShapesThatOverflowOrAreNegative() {
    #expect(HDF5Dataset.checkedCount(of: [Int.max / 2, 3]) == nil)
    #expect(HDF5Dataset.checkedCount(of: [1 << 40, 1 << 20], elementSize: 8) == nil)
    #expect(HDF5Dataset.checkedCount(of: [4, -1]) == nil)
  }
}

/// The code of the HDF5 catalog's landing page, run as written in a temporary folder.
@Suite struct CatalogSnippetTests {
  @Test func theLandingPageSnippetWorks() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("numbers.h5")
    do {
      let file = try HDF5File.create(atPath: path)
      try file.root.write([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3], to: "x")
    }
    let read = try HDF5File(openingAtPath: path).root.openDataset("x")
    #expect(read.shape == [2, 3])
    #expect(try read.read(as: Float.self) == [1, 2, 3, 4, 5, 6])
  }
}
