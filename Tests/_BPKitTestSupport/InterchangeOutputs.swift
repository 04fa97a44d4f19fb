import BPKit
import Foundation

/// The folder where tests leave the ONNX and safetensors files bpkit wrote,
/// with inputs and the outputs they must give, so that `make test` can check
/// them afterwards with onnx, onnxruntime and safetensors in Python
/// (Scripts/check_interchange.py).
public enum InterchangeOutputs {
  /// `.build/interchange-outputs` in the repository.
  public static let folder: URL = Fixtures.repositoryRoot.appendingPathComponent(".build/interchange-outputs")

  /// Keeps `file` as case `name`: the checker runs it on `input` and compares
  /// with `expected` (within 1e-5), whose source (`bpkit`, `keras`) it names.
  /// For safetensors files, `network` is the bpkit network it must rebuild in
  /// PyTorch's layout. `names`, when given, are the feature and class names
  /// the file's metadata must hold as Python's onnx and safetensors read it.
  public static func keep(
    file: URL, name: String, input: Tensor<Float>, expected: Tensor<Float>, source: String = "bpkit",
    names: ModelNames? = nil
  ) throws {
    try keep(file: file, name: name, input: input, expected: expected, source: source, names: names, extra: [:])
  }

  /// Keeps a float64 model's `file` as case `name`: the checker feeds
  /// `input` as float64 (`x.bin` of little-endian doubles), requires the
  /// file's tensors and the runtime's output to be float64, and compares with
  /// `expected` within `tolerance` (relative above 1).
  public static func keep(
    file: URL, name: String, float64Input input: Tensor<Double>, expected: Tensor<Double>, tolerance: Double,
    source: String = "bpkit"
  ) throws {
    try keep(
      file: file, name: name, input: input, expected: expected, source: source, names: nil,
      extra: ["dtype": "float64", "tolerance": tolerance])
  }

  private static func keep<S: BLASScalar>(
    file: URL, name: String, input: Tensor<S>, expected: Tensor<S>, source: String, names: ModelNames?,
    extra: [String: Any]
  ) throws {
    let folder = folder.appendingPathComponent(name)
    try? FileManager.default.removeItem(at: folder)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let model = folder.appendingPathComponent("model." + file.pathExtension)
    try FileManager.default.copyItem(at: file, to: model)
    let data = file.deletingLastPathComponent().appendingPathComponent(file.lastPathComponent + ".data")
    if FileManager.default.fileExists(atPath: data.path) {
      try FileManager.default.copyItem(at: data, to: folder.appendingPathComponent("model.onnx.data"))
    }
    try write(input, to: folder.appendingPathComponent("x.bin"))
    try write(expected, to: folder.appendingPathComponent("y.bin"))
    var description: [String: Any] = [
      "model": model.lastPathComponent, "x_shape": input.shape, "y_shape": expected.shape, "expected_from": source,
    ]
    description.merge(extra) { $1 }
    if let names {
      description["names"] = [
        ModelNames.featuresMetadataKey: names.features as Any, ModelNames.classesMetadataKey: names.classes as Any,
      ].compactMapValues { $0 }
    }
    try JSONSerialization.data(withJSONObject: description, options: [.sortedKeys])
      .write(to: folder.appendingPathComponent("case.json"))
  }

  private static func write<S: BLASScalar>(_ tensor: Tensor<S>, to url: URL) throws {
    try tensor.scalars.withUnsafeBytes { Data($0) }.write(to: url)
  }
}
