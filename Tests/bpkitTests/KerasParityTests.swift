import BPKit
import Foundation
import HDF5
import Testing
import _BPKitTestSupport

/// Training from a Keras file ends where Keras' own fit ends (Fixtures/keras-parity/README.md).
@Suite struct KerasParityTests {
  static let optimizers: [(String, [String])] = [
    ("sgd_momentum", ["--optimizer", "momentum", "--lr", "0.05", "--momentum", "0.9"]),
    ("adam", ["--optimizer", "adam", "--lr", "0.01"]),
    ("rmsprop", ["--optimizer", "rmsprop", "--lr", "0.005"]),
  ]

  /// The LSTM and GRU references cover SGD with momentum and Adam.
  static let gatedOptimizers = Array(optimizers.prefix(2))

  @Test(arguments: [("dense", "cross-entropy"), ("rnn", "mse")], optimizers)
  func bpkitEndsWhereKerasEnds(network: (String, String), optimizer: (String, [String])) throws {
    try Self.compareTraining(network: network, optimizer: optimizer)
  }

  @Test(arguments: [("lstm", "mse"), ("gru", "mse")], gatedOptimizers)
  func bpkitTrainsLSTMAndGRUAsKerasDoes(network: (String, String), optimizer: (String, [String])) throws {
    try Self.compareTraining(network: network, optimizer: optimizer)
  }

  static func compareTraining(network: (String, String), optimizer: (String, [String])) throws {
    let folder = try TemporaryDirectory()
    let name = "\(network.0)_\(optimizer.0)"
    let reference = Fixtures.path("keras-parity/\(name).after.h5")
    let result = try BPKitBinary.run(
      arguments: [
        "train", "--model", Fixtures.path("keras-parity/\(name).start.h5"), "--data", reference, "--x", "/x", "--y",
        "/y", "--loss", network.1, "--epochs", "2", "--batch-size", "8", "--no-shuffle", "--checkpoint",
        folder.path("run.ckpt.h5"), "--quiet",
      ] + optimizer.1)
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.ckpt.h5"))
    let keras = try HDF5File(openingAtPath: reference).root.openGroup("weights")
    var compared = 0
    for (key, tensor) in checkpoint.model.parameters {
      let expected = try keras.openDataset("\(key.layer)/\(key.name)").read(as: Float.self)
      let worst = zip(tensor.scalars, expected).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-4, "\(name) \(key): \(worst)")
      compared += 1
    }
    #expect(compared == checkpoint.model.parameters.count && compared >= 4)
  }

  @Test(arguments: ["dense", "rnn"], optimizers.map(\.0))
  func trainingContinuesAKerasRunFromItsOptimizerState(network: String, optimizer: String) throws {
    try Self.compareContinuation(network: network, optimizer: optimizer)
  }

  @Test(arguments: ["lstm", "gru"], gatedOptimizers.map(\.0))
  func trainingContinuesAKerasLSTMOrGRURun(network: String, optimizer: String) throws {
    try Self.compareContinuation(network: network, optimizer: optimizer)
  }

  static func compareContinuation(network: String, optimizer: String) throws {
    // No optimizer or loss options: they, the slots and the step count come from the .keras file.
    let folder = try TemporaryDirectory()
    let name = "\(network)_\(optimizer)"
    let reference = Fixtures.path("keras-parity/\(name).after.h5")
    let result = try BPKitBinary.run(
      "train", "--model", Fixtures.path("keras-parity/\(name).after.keras"), "--data", reference, "--x", "/x", "--y",
      "/y",
      "--epochs", "1", "--batch-size", "8", "--no-shuffle", "--checkpoint", folder.path("run.ckpt.h5"), "--quiet")
    #expect(result.status == 0, "\(result.error)")
    let checkpoint = try Checkpoint(contentsOf: folder.url.appendingPathComponent("run.ckpt.h5"))
    #expect(checkpoint.optimizer.iterations == 15)
    let keras = try HDF5File(openingAtPath: reference).root.openGroup("continued/weights")
    for (key, tensor) in checkpoint.model.parameters {
      let expected = try keras.openDataset("\(key.layer)/\(key.name)").read(as: Float.self)
      let worst = zip(tensor.scalars, expected).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-4, "\(name) \(key): \(worst)")
    }
  }

  @Test(arguments: ["dense", "rnn"], optimizers.map(\.0))
  func theFilesCarryKerasOptimizer(network: String, optimizer: String) throws {
    try Self.checkOptimizer(network: network, optimizer: optimizer)
  }

  @Test(arguments: ["lstm", "gru"], gatedOptimizers.map(\.0))
  func theLSTMAndGRUFilesCarryKerasOptimizer(network: String, optimizer: String) throws {
    try Self.checkOptimizer(network: network, optimizer: optimizer)
  }

  static func checkOptimizer(network: String, optimizer: String) throws {
    let start = try KerasModel(contentsOfFile: Fixtures.path("keras-parity/\(network)_\(optimizer).start.h5"))
    let after = try KerasModel(contentsOfFile: Fixtures.path("keras-parity/\(network)_\(optimizer).after.keras"))
    let kind: OptimizerKind = optimizer == "sgd_momentum" ? .momentum : optimizer == "adam" ? .adam : .rmsprop
    #expect(start.optimizer?.configuration.kind == kind)
    #expect(start.optimizer?.iterations == 0)
    #expect(after.optimizer?.configuration == start.optimizer?.configuration)
    #expect(after.optimizer?.iterations == 10)
  }
}
