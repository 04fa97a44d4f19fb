/// Which layers of a float64 model bpkit writes as a DOUBLE ONNX graph.
///
/// ONNX declares most operators for `tensor(double)`, but onnxruntime, the
/// runtime people run bpkit's files with, registers double CPU kernels for
/// only some of them. Measured with onnxruntime 1.32 at opsets 13 to 21
/// (`Scripts/test-requirements.txt`): `Gemm`, `MatMul`, `Add`, `Sub`, `Div`,
/// `Dropout`, `Transpose`, `Squeeze`, `Identity`, `Relu`, `Tanh`, `Sigmoid`,
/// `Softmax`, `LogSoftmax`, `Exp` and `Gelu` with `approximate="tanh"` run in
/// double; `RNN` has no double kernel, `LSTM` and `GRU` fail at run time
/// ("does not support double yet"), and `Elu`, `HardSigmoid`, `Softplus`,
/// `Softsign`, `Selu`, `HardSwish`, `Mish` and the exact `Gelu` (`Erf`) have
/// none; `LeakyRelu` has one at opsets 16 to 18 only, and its `alpha`
/// attribute is a float32 anyway. A layer needing one of those is refused by
/// name rather than written into a file onnxruntime cannot run.
enum ONNXFloat64Support {
  /// Throws when `layer` of a float64 model has no DOUBLE form onnxruntime runs.
  ///
  /// - Throws: ``ONNXError/cannotExport(detail:)`` naming the layer, the
  ///   operator, and the ways out.
  static func check(_ layer: Layer, opset: Int) throws(ONNXError) {
    switch layer.kind {
    case .standardize, .dropout: return
    case .dense(_, let activation, _):
      guard let (opType, _) = try ONNXActivation.node(for: activation, layer: layer.name, opset: opset) else { return }
      guard !doubleActivations.contains(opType) || activation == .gelu else { return }
      let what = activation == .gelu ? "Gelu with approximate=\"none\" (Erf)" : opType
      throw refusal(layer, "uses \(activation.name), whose ONNX operator \(what)")
    case .elman: throw refusal(layer, "is an Elman layer, whose ONNX operator RNN")
    case .lstm: throw refusal(layer, "is an LSTM layer, whose ONNX operator LSTM")
    case .gru: throw refusal(layer, "is a GRU layer, whose ONNX operator GRU")
    }
  }

  /// The activation operators onnxruntime runs in double at every opset bpkit writes.
  static let doubleActivations: Set<String> = ["Relu", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Exp", "Gelu"]

  private static func refusal(_ layer: Layer, _ what: String) -> ONNXError {
    .cannotExport(
      detail: "layer '\(layer.name)' of this float64 model \(what) has no double kernel in onnxruntime, so a "
        + "DOUBLE ONNX file of it would not run; write it rounded to float32 with "
        + "bpkit convert IN OUT.onnx --dtype float32, or keep float64 in bpkit HDF5, JSON or safetensors")
  }
}
