import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// A class label out of range is named by its place in the file it was read
/// from, counted from 1 as every other data error: a CSV line and column, or
/// an HDF5 dataset and row; a subset (a validation split) keeps the places.
@Suite struct DatasetLabelPlaceTests {
  @Test func aCSVLabelIsNamedByLineAndColumn() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("labels.csv")
    try "a,b,label\n1,2,0\n\n2,3,1\n3,4,7\n".write(toFile: path, atomically: true, encoding: .utf8)
    let data = try Dataset.readCSV(path: path, targetColumns: ["label"])
    let expected = DataError.labelOutOfRangeAt(source: path, line: 5, column: "'label' (3)", value: 7, classCount: 3)
    expectReason(expected) { try data.classLabels(classCount: 3) }
    expectReason(expected) { try data.subset(1..<3).classLabels(classCount: 3) }
    #expect(expected.description == "\(path), line 5, column 'label' (3): class label 7 is not a whole number in 0..<3")
  }

  @Test func anHDF5LabelIsNamedByDatasetAndRowFromOne() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("labels.h5")
    do {
      let root = try HDF5File.create(atPath: path).root
      try root.write([Float](repeating: 0, count: 8), shape: [4, 2], to: "x")
      try root.write([Float]([0, 1, 2.5, 1]), shape: [4], to: "y")
    }
    let data = try Dataset.readHDF5(path: path, inputs: "/x", targets: "/y")
    let expected = DataError.labelOutOfRange(source: "\(path):/y", row: 2, value: 2.5, classCount: 3)
    expectReason(expected) { try data.classLabels(classCount: 3) }
    expectReason(expected) { try data.subset(2..<4).classLabels(classCount: 3) }
    #expect(expected.description == "\(path):/y, row 3: class label 2.5 is not a whole number in 0..<3")
  }

  @Test func aDatasetMadeInMemoryCountsItsRowsFromOne() throws {
    let data = try Dataset(
      inputs: Tensor(shape: [2, 1], scalars: [0, 0]), targets: Tensor(shape: [2], scalars: [0, 4]))
    expectReason(DataError.labelOutOfRange(source: "data", row: 1, value: 4, classCount: 2)) {
      try data.classLabels(classCount: 2)
    }
    #expect(
      DataError.labelOutOfRange(source: "data", row: 1, value: 4, classCount: 2).description
        == "data, row 2: class label 4 is not a whole number in 0..<2")
  }
}
