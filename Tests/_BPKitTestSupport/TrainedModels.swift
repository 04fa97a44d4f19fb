import Foundation
import Synchronization

/// Models trained once per test run through the built `bpkit`, for tests of
/// the commands that read them.
public enum TrainedModels {
  private static let folder = try! TemporaryDirectory(prefix: "bpkit-trained")
  private static let cache = Mutex<[String: String]>([:])

  /// A digits classifier (64-32 relu-10 softmax) trained for a few epochs: a checkpoint's path.
  public static var digitsCheckpoint: String {
    get throws {
      try trained("digits") { path in
        [
          "--layers", "64,32:relu,10:softmax", "--data", Fixtures.path("datasets/digits.h5"), "--optimizer",
          "momentum", "--lr", "0.1", "--epochs", "8", "--checkpoint", path, "--quiet",
        ]
      }
    }
  }

  /// A digits classifier (64-64 relu-10 softmax) trained for 6 epochs with
  /// validation on the test set, so its history has every series: a checkpoint's path.
  public static var validatedDigitsCheckpoint: String {
    get throws {
      try trained("digits-validated") { path in
        digitsRun(epochs: 6) + ["--checkpoint", path, "--quiet"]
      }
    }
  }

  /// The arguments of a digits run with validation on the test set, without the checkpoint.
  public static func digitsRun(epochs: Int) -> [String] {
    let digits = Fixtures.path("datasets/digits.h5")
    return [
      "--layers", "64,64:relu,10:softmax", "--data", digits, "--optimizer", "momentum", "--lr", "0.1", "--epochs",
      "\(epochs)", "--validation", digits,
    ]
  }

  /// A sequence model (12 steps of 1 feature, Elman 8 returning sequences, dense 2 per step).
  public static var sequenceCheckpoint: String {
    get throws {
      try trained("sequence") { path in
        let data = folder.path("sine.h5")
        try SequenceData.writeNoisySine(to: data, samples: 64)
        return [
          "--layers", "12x1,rnn8:tanh,1", "--data", data, "--x", "/x", "--y", "/y", "--epochs", "2",
          "--checkpoint", path, "--quiet",
        ]
      }
    }
  }

  private static func trained(_ name: String, arguments: (String) throws -> [String]) throws -> String {
    try cache.withLock { cache in
      if let path = cache[name] { return path }
      let path = folder.path("\(name).ckpt.h5")
      let result = try BPKitBinary.run(arguments: ["train"] + arguments(path))
      guard result.status == 0 else { throw TrainingFailed(message: result.error) }
      cache[name] = path
      return path
    }
  }

  struct TrainingFailed: Error { var message: String }
}
