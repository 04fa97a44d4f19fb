import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// `train --resume` and the data path a checkpoint stores: a path that comes
/// from a file is opened only when it is confirmed to be the data the run
/// trained on, and the error never quotes what the path holds.
@Suite struct ResumeDataPathTests {
  let folder: TemporaryDirectory
  let checkpoint: String

  init() throws {
    folder = try TemporaryDirectory()
    let data = folder.path("iris.csv")
    try FileManager.default.copyItem(atPath: Fixtures.path("datasets/iris.csv"), toPath: data)
    checkpoint = folder.path("iris.ckpt.h5")
    let trained = try BPKitBinary.run(
      "train", "--layers", "4,8:tanh,3:softmax", "--data", data, "--target", "species", "--epochs", "1",
      "--checkpoint", checkpoint, "--quiet")
    #expect(trained.status == 0, "\(trained.error)")
  }

  /// A copy of the checkpoint whose training data is `path`, sealed as bpkit writes it.
  func pointing(at path: String, validation: Bool = false) throws -> String {
    var run = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    if validation {
      run.validationData = DataFingerprint(sha256: String(repeating: "0", count: 64), path: path, sampleCount: 10)
    } else {
      run.data?.path = path
    }
    let crafted = folder.path("crafted-\(UUID().uuidString).h5")
    try run.write(to: URL(fileURLWithPath: crafted))
    return crafted
  }

  func resume(_ crafted: String, _ extra: [String] = []) throws -> GuardedResult {
    try GuardedProcess.run(
      BPKitBinary.path, ["train", "--resume", crafted, "--epochs", "2", "--quiet"] + extra, timeout: 60)
  }

  @Test func aStoredPathToAnotherFileIsNotOpenedAndItsContentNeverShown() throws {
    let secret = folder.path("secret.csv")
    try "root:SECRET-FIRST-LINE:0:0\nmore:SECRET-SECOND-LINE\n".write(toFile: secret, atomically: true, encoding: .utf8)
    let result = try resume(try pointing(at: secret))
    #expect(result.status == 3, "\(result.ending): \(result.error)")
    #expect(result.errorLines.count == 1)
    #expect(result.error.contains("did not open it; give the training data with --data"))
    #expect(!result.error.contains("SECRET"))
    #expect(!result.output.contains("SECRET"))
  }

  @Test(arguments: ["/dev/zero", "/proc/self/environ", "fifo", "folder"])
  func storedPathsThatAreNotRegularFilesAreRefusedWithoutHanging(name: String) throws {
    var path = name
    if name == "fifo" {
      path = folder.path("data.fifo")
      #expect(mkfifo(path, 0o600) == 0)
    } else if name == "folder" {
      path = folder.url.path
    }
    let result = try resume(try pointing(at: path))
    #expect(result.status == 3, "\(result.ending): \(result.error)")
    #expect(result.errorLines.count == 1)
    #expect(result.error.contains("did not open it"))
    #expect(!result.error.contains("PATH="))
  }

  @Test func aStoredValidationPathIsConfirmedToo() throws {
    let secret = folder.path("validation.csv")
    try "SECRET-VALIDATION-LINE\n".write(toFile: secret, atomically: true, encoding: .utf8)
    let result = try resume(try pointing(at: secret, validation: true))
    #expect(result.status == 3, "\(result.ending): \(result.error)")
    #expect(result.error.contains("give the validation data with --validation"))
    #expect(!result.error.contains("SECRET"))
  }

  @Test func dataTheUserNamesIsTakenAsGiven() throws {
    let result = try resume(
      try pointing(at: "/dev/zero"), ["--data", folder.path("iris.csv"), "--target", "species"])
    #expect(result.status == 0, "\(result.ending): \(result.error)")
  }
}
