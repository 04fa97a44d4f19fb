import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// One type to catch: whatever BPKit throws is a `BPKitError` whose category
/// says what kind of failure it is, and whose message is the one line bpkit prints.
@Suite struct BPKitErrorTests {
  func caught(_ body: () throws -> Void) -> (any BPKitError)? {
    do {
      try body()
    } catch let error as any BPKitError {
      return error
    } catch {
      Issue.record("\(type(of: error)) is not a BPKitError: \(error)")
    }
    return nil
  }

  @Test func aMissingFileIsAnIOFailure() throws {
    let folder = try TemporaryDirectory()
    let error = try #require(caught { _ = try BPKitFile.open(URL(fileURLWithPath: folder.path("none.h5"))) })
    #expect(error.category == .io)
    #expect(error.description.contains(folder.path("none.h5")))
    #expect(error.localizedDescription == error.description)
  }

  @Test func aFileOfAnotherKindIsBadInput() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("notes.h5")
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: path))
    let error = try #require(caught { _ = try BPKitFile.open(URL(fileURLWithPath: path)) })
    #expect(error.category == .badInput)
  }

  @Test func aMissingDatasetFromTheHDF5ModuleIsABPKitErrorToo() throws {
    let path = Fixtures.path("datasets/digits.h5")
    let error = try #require(caught { _ = try Dataset.readHDF5(path: path, inputs: "/none", targets: nil) })
    #expect(error is HDF5Error)
    #expect(error.category == .badInput)
  }

  @Test func aLayerSpecificationThatDoesNotParseIsUsage() throws {
    let error = try #require(caught { _ = try NetworkDescription(layerSpecification: "4,x:relu") })
    #expect(error.category == .usage)
  }

  @Test func categoriesFollowTheReason() {
    let cases: [(any BPKitError, BPKitErrorCategory)] = [
      (TrainingError.diverged(epoch: 1, step: 2, loss: .nan, keptCheckpoint: nil), .diverged),
      (TrainingError.invalidSetting("--split with --validation"), .usage),
      (TrainingError.noTrainingSamples, .badInput),
      (DataError.fileNotFound(path: "x.csv"), .io),
      (DataError.empty(source: "x.csv"), .badInput),
      (OutputFileError.isAnInput(file: "a", input: "a"), .usage),
      (OutputFileError.failed(file: "a", operation: "writing it", reason: "No space left on device"), .io),
      (FormatError.readFailed(file: "a", operation: "reading it", reason: "EIO"), .io),
      (FormatError.notBPKitFile(file: "a"), .badInput),
      (OpeningError.notFound(file: "a"), .io),
      (OpeningError.empty(file: "a"), .badInput),
    ]
    for (error, category) in cases {
      #expect(error.category == category, "\(error)")
    }
  }
}
