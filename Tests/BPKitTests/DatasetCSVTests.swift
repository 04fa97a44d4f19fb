import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct DatasetCSVTests {
  func write(_ text: String, in folder: TemporaryDirectory, name: String = "data.csv") throws -> String {
    let path = folder.path(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func readsTheBundledIrisData() throws {
    let data = try Dataset.readCSV(path: Fixtures.path("datasets/iris.csv"), targetColumns: ["species"])
    #expect(data.inputs.shape == [150, 4])
    #expect(data.targets?.shape == [150])
    #expect(Array(data.inputs.scalars.prefix(4)) == [5.1, 3.5, 1.4, 0.2])
    #expect(try data.classLabels(classCount: 3).count == 150)
  }

  @Test func separatesTargetsAndIgnoredColumnsByName() throws {
    let folder = try TemporaryDirectory()
    let path = try write("id, a, b,label, c\n7, 1, 2, 1, 3\r\n8, 4, 5, 0, 6\n\n", in: folder)
    let data = try Dataset.readCSV(path: path, targetColumns: ["label"], ignoring: ["id"])
    #expect(data.inputs == Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
    #expect(data.targets == Tensor(shape: [2], scalars: [1, 0]))
  }

  @Test func raggedRowNamesItsLine() throws {
    let folder = try TemporaryDirectory()
    let path = try write("a,b,label\n1,2,0\n3,4\n", in: folder)
    let error = expectReason(DataError.self) { try Dataset.readCSV(path: path, targetColumns: ["label"]) }
    #expect(error == .raggedRow(source: path, line: 3, expected: 3, found: 2))
  }

  @Test func nonNumericValueNamesLineAndColumn() throws {
    let folder = try TemporaryDirectory()
    let path = try write("a,b,label\n1,2,0\n3,x4,1\n", in: folder)
    let error = expectReason(DataError.self) { try Dataset.readCSV(path: path, targetColumns: ["label"]) }
    #expect(error == .notANumber(source: path, line: 3, column: "'b' (2)", value: "x4"))
    #expect(error?.description == "\(path), line 3, column 'b' (2): 'x4' is not a number")
  }

  @Test func aNulByteInAFieldIsNotANumber() throws {
    let folder = try TemporaryDirectory()
    let path = try write("a,b,label\n1,2,0\n3,4.5\u{0}99,1\n", in: folder)
    let error = expectReason(DataError.self) { try Dataset.readCSV(path: path, targetColumns: ["label"]) }
    #expect(error == .notANumber(source: path, line: 3, column: "'b' (2)", value: "4.5\u{0}99"))
  }

  @Test func nanAndInfinityAreRefusedForTraining() throws {
    let folder = try TemporaryDirectory()
    let path = try write("a,b,label\n1,nan,0\n", in: folder)
    let error = expectReason(DataError.self) { try Dataset.readCSV(path: path, targetColumns: ["label"]) }
    #expect(error == .notFinite(source: path, line: 2, column: "'b' (2)", value: "nan"))
    let lenient = try Dataset.readCSV(path: path, targetColumns: ["label"], requireFinite: false)
    #expect(lenient.inputs.scalars[1].isNaN)
  }

  @Test func unknownColumnListsTheColumns() throws {
    let error = expectReason(DataError.self) {
      try Dataset.readCSV(path: Fixtures.path("datasets/iris.csv"), targetColumns: ["label"])
    }
    guard case .unknownColumn(_, "label", let available) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(available.last == "species")
  }

  @Test func emptyAndHeaderlessFilesAreErrors() throws {
    let folder = try TemporaryDirectory()
    let empty = try write("", in: folder, name: "empty.csv")
    expectReason(DataError.empty(source: empty)) { try Dataset.readCSV(path: empty, targetColumns: []) }
    let headerOnly = try write("a,b\n", in: folder, name: "header.csv")
    expectReason(DataError.empty(source: headerOnly)) { try Dataset.readCSV(path: headerOnly, targetColumns: []) }
    let numbers = try write("1,2\n3,4\n", in: folder, name: "numbers.csv")
    expectReason(DataError.noHeader(source: numbers, column: "b")) {
      try Dataset.readCSV(path: numbers, targetColumns: ["b"])
    }
    expectReason(DataError.fileNotFound(path: folder.path("missing.csv"))) {
      try Dataset.readCSV(path: folder.path("missing.csv"), targetColumns: [])
    }
  }

  @Test func labelsOutOfRangeAreErrors() throws {
    let data = try Dataset(
      inputs: Tensor(shape: [3, 1], scalars: [0, 0, 0]), targets: Tensor(shape: [3], scalars: [0, 2.5, 1]))
    expectReason(DataError.labelOutOfRange(source: "data", row: 1, value: 2.5, classCount: 3)) {
      try data.classLabels(classCount: 3)
    }
    let big = try Dataset(inputs: Tensor(shape: [1, 1], scalars: [0]), targets: Tensor(shape: [1], scalars: [10]))
    expectReason(DataError.labelOutOfRange(source: "data", row: 0, value: 10, classCount: 10)) {
      try big.classLabels(classCount: 10)
    }
  }
}
