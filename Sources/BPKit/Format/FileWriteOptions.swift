/// How bpkit writes a file: a model, a checkpoint, or any other output of
/// ``OutputFile``.
public struct FileWriteOptions: Hashable, Sendable {
  /// Whether to `fsync` the new file and its folder before returning, so that
  /// the file survives a power failure, not only a crash of the writer.
  /// Turning it off is for benchmarks and scratch files.
  public var synchronize: Bool

  /// Files the write must never replace: the inputs of the command that
  /// writes. A destination that is one of them (the same device and inode,
  /// reached directly or through a symbolic or hard link) is refused with
  /// ``BPKitError/Code/outputIsAnInput``. `-` (standard input) is skipped.
  public var inputs: [String]

  /// How a bpkit JSON document holds tensors (``FileFormat/json``).
  public var jsonWeights: BPKitJSON.WeightEncoding

  /// The ONNX opset written (``FileFormat/onnx``), within ``ONNXFormat/opsets``.
  public var onnxOpset: Int

  /// Creates options; by default writes are durable, nothing is protected,
  /// JSON tensors are numbers and ONNX files use ``ONNXFormat/defaultOpset``.
  public init(
    synchronize: Bool = true, inputs: [String] = [], jsonWeights: BPKitJSON.WeightEncoding = .numbers,
    onnxOpset: Int = ONNXFormat.defaultOpset
  ) {
    self.synchronize = synchronize
    self.inputs = inputs
    self.jsonWeights = jsonWeights
    self.onnxOpset = onnxOpset
  }
}
