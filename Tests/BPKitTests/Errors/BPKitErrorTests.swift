import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// One type to catch: whatever BPKit throws is a `BPKitError`, whose code
/// and category say what failed, and whose message is the one line bpkit prints.
@Suite struct BPKitErrorTests {
  func caught(_ body: () throws -> Void) -> BPKitError? {
    do {
      try body()
    } catch let error as BPKitError {
      return error
    } catch {
      Issue.record("\(type(of: error)) is not a BPKitError: \(error)")
    }
    return nil
  }

  @Test func aMissingFileIsAnIOFailureNamingTheFile() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("none.h5")
    let error = try #require(caught { _ = try BPKitFile.open(URL(fileURLWithPath: path)) })
    #expect(error.code == .fileNotFound)
    #expect(error.category == .io)
    #expect(error.exitCode == 4)
    #expect(error.file == path)
    #expect(error.message.contains(path))
    #expect(error.description == error.message)
    #expect(error.localizedDescription == error.message)
  }

  @Test func aFileOfAnotherKindIsBadInput() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("notes.h5")
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: path))
    let error = try #require(caught { _ = try BPKitFile.open(URL(fileURLWithPath: path)) })
    #expect(error.category == .badInput)
    #expect(error.exitCode == 3)
  }

  @Test func aMissingDatasetFromTheHDF5ModuleIsABPKitErrorWithTheHDF5ErrorInside() throws {
    let path = Fixtures.path("datasets/digits.h5")
    let error = try #require(caught { _ = try Dataset.readHDF5(path: path, inputs: "/none", targets: nil) })
    #expect(error.underlying is HDF5Error)
    #expect(error.code == .invalidFile)
    #expect(error.category == .badInput)
    #expect(error.file == path)
  }

  @Test func aLayerSpecificationThatDoesNotParseIsUsageNamingTheSetting() throws {
    let error = try #require(caught { _ = try NetworkDescription(layerSpecification: "4,x:relu") })
    #expect(error.code == .invalidLayerSpecification)
    #expect(error.category == .usage)
    #expect(error.exitCode == 2)
    #expect(error.setting == "layers")
  }

  @Test func aBPKitErrorIsKeptAndAnyOtherErrorIsWrapped() throws {
    let error = try #require(caught { _ = try NetworkDescription(layerSpecification: "") })
    #expect(BPKitError(error) == error)
    let foreign = BPKitError(CocoaError(.fileReadCorruptFile))
    #expect(foreign.code == .other)
    #expect(foreign.underlying is CocoaError)
    #expect(foreign.message == String(describing: CocoaError(.fileReadCorruptFile)))
  }

  @Test func exitCodesFollowTheCategory() {
    #expect(BPKitError.Category.allCases.map(\.exitCode) == [2, 3, 4, 5])
  }

  @Test func codesAndCategoriesFollowTheReason() {
    let cases: [(any Error, BPKitError.Code, BPKitError.Category)] = [
      (TrainingError.diverged(epoch: 1, step: 2, loss: .nan, keptCheckpoint: nil), .diverged, .diverged),
      (TrainingError.invalidSetting("--split with --validation"), .invalidSetting, .usage),
      (TrainingError.noTrainingSamples, .invalidData, .badInput),
      (DataError.fileNotFound(path: "x.csv"), .fileNotFound, .io),
      (DataError.empty(source: "x.csv"), .invalidData, .badInput),
      (OutputFileError.isAnInput(file: "a", input: "a"), .outputIsAnInput, .usage),
      (
        OutputFileError.failed(file: "a", operation: "writing it", reason: "No space left on device"), .writeFailed, .io
      ),
      (FormatError.readFailed(file: "a", operation: "reading it", reason: "EIO"), .readFailed, .io),
      (FormatError.notBPKitFile(file: "a"), .wrongKindOfFile, .badInput),
      (FormatError.checksumMismatch(file: "a", path: "/w", stored: 1, computed: 2), .damaged, .badInput),
      (OpeningError.notFound(file: "a"), .fileNotFound, .io),
      (OpeningError.empty(file: "a"), .wrongKindOfFile, .badInput),
      (OpeningError.libraryHung(file: "a", seconds: 10), .refused, .badInput),
      (WriterLockError.held(file: "a", holder: 7), .fileLocked, .io),
      (CheckpointExistsError(file: "a", resuming: false), .checkpointExists, .usage),
      (KernelError.invalidEnvironment("avx9"), .unsupportedKernelPath, .usage),
      (DistributedError.rankFailed(rank: 1), .communication, .io),
      (DistributedError.transport(operation: "MPI_Recv from rank 0", reason: "peer gone"), .communication, .io),
      (DistributedError.messageSize(from: 1, expected: 8, actual: 4), .communication, .usage),
    ]
    for (reason, code, category) in cases {
      let error = BPKitError(reason)
      #expect(error.code == code, "\(reason)")
      #expect(error.category == category, "\(reason)")
      #expect(error.message == "\(reason)")
    }
  }
}
