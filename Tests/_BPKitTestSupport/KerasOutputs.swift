import Foundation

/// The folder where tests leave Keras files bpkit exported with a compiled
/// optimizer and loss, so that `make test` can load each in real Keras with
/// `compile=True` and train it one step (Scripts/keras_load_check.py).
public enum KerasOutputs {
  /// `.build/keras-outputs` in the repository.
  public static let folder: URL = Fixtures.repositoryRoot.appendingPathComponent(".build/keras-outputs")

  /// The path for an exported file named `name`, its folder created.
  public static func path(_ name: String) -> String {
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
  }

  /// Records beside `path` what Keras must find in it: the optimizer's class
  /// name and hyperparameters and the loss, as `path.expect.json`.
  /// A learning-rate schedule, when given, is `{"class_name": ..., "config": {...}}` as Keras serializes it.
  /// `fromLogits` asks for a loss object with `from_logits=True`. `dtype`
  /// `float64` asks for a model whose every weight is float64, which the
  /// check runs with JAX's x64 on.
  public static func expect(
    _ path: String, optimizer: String, hyperparameters: [String: Double], loss: String, schedule: [String: Any]? = nil,
    regularizers: [String: Any]? = nil, fromLogits: Bool = false, dtype: String? = nil
  ) {
    var expectation: [String: Any] = ["optimizer": optimizer, "hyperparameters": hyperparameters, "loss": loss]
    if fromLogits { expectation["from_logits"] = true }
    if let dtype { expectation["dtype"] = dtype }
    if let schedule { expectation["schedule"] = schedule }
    // By layer, then Keras' setting name: {"class_name": "L2", "config": {"l2": 0.01}}.
    if let regularizers { expectation["regularizers"] = regularizers }
    let data = try? JSONSerialization.data(withJSONObject: expectation, options: [.sortedKeys])
    try? data?.write(to: URL(fileURLWithPath: path + ".expect.json"))
  }
}
