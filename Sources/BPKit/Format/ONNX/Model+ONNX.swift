import Foundation
import SwiftProtobuf

extension Model {
  /// Writes the model as an ONNX file that onnxruntime and other ONNX
  /// runtimes run, replacing `url` atomically.
  ///
  /// A float64 model is written as a DOUBLE graph (weights, input and
  /// output), for the layers onnxruntime runs in double (dense layers with
  /// some activations, standardize and dropout layers).
  ///
  /// Dense layers become `Gemm` (`MatMul` and `Add` on sequences), Elman
  /// layers ONNX's `RNN` operator, LSTM and GRU layers its `LSTM` and `GRU`
  /// operators (gates in ONNX's orders i, o, f, c and z, r, h; a GRU with
  /// `reset_after` has `linear_before_reset` = 1), standardize layers `Sub` and `Div`, and
  /// activations their ONNX operators. The batch axis is dynamic, and so is
  /// the sequence length of a model that accepts any. The input is named
  /// `input` and the output `output`; the network description is kept in
  /// the `bpkit.network` metadata entry, and the feature and class names in
  /// `bpkit.feature_names` and `bpkit.class_names` (JSON arrays of strings,
  /// present when the model has them). Models with more than
  /// ``ONNXFormat/externalDataThreshold`` bytes of weights keep them in a
  /// `NAME.data` file beside the model, ONNX's external-data form.
  ///
  /// - Parameters:
  ///   - url: The destination. Its folder must exist.
  ///   - opset: The ONNX opset, within ``ONNXFormat/opsets``.
  ///   - options: Whether to make the write durable with `fsync` (the default).
  /// - Throws: ``ONNXError`` for an opset outside the range, a layer ONNX
  ///   cannot express, or a float64 model's layer onnxruntime runs in float
  ///   only; ``FormatError`` when the file cannot be written.
  package func writeONNX(to url: URL, opset: Int = ONNXFormat.defaultOpset, options: FileWriteOptions = .init()) throws
  {
    try ONNXFileWriter.write(try ONNXExportPlan(self, opset: opset), to: url, options: options)
  }

  /// Writes the model as ONNX with its weights in a separate data file when
  /// they exceed `externalDataThreshold` bytes; for tests of that form.
  func writeONNX(to url: URL, opset: Int, options: FileWriteOptions, externalDataThreshold: Int) throws {
    try ONNXFileWriter.write(
      try ONNXExportPlan(self, opset: opset), to: url, options: options, externalDataThreshold: externalDataThreshold)
  }
}

extension Model {
  /// Reads a model from an ONNX file: one bpkit wrote, or one that
  /// `torch.onnx.export` wrote for a network of layers bpkit has (the
  /// dynamo exporter's `nn.RNN`, unrolled over time steps, included).
  ///
  /// The graph must be a chain from one input, [batch, features] or
  /// batch-first [batch, steps, features], to one output, through `Gemm` or
  /// `MatMul` and `Add` (dense layers), `RNN` (Elman layers), `LSTM` and
  /// `GRU` (forward, without peepholes, clip or `input_forget`, with
  /// activations bpkit has), `Sub` and
  /// `Div` by per-feature constants (standardization), activations, and
  /// the shape operators exporters put around them. Layer names and a fixed
  /// sequence length come from the `bpkit.network` metadata of files bpkit
  /// wrote, and feature and class names from its `bpkit.feature_names` and
  /// `bpkit.class_names`; other files get `dense_1`, `elman_1`, `lstm_1`, `gru_1`, ... Weights may be FLOAT,
  /// DOUBLE, FLOAT16 or BFLOAT16 (widened exactly), in `raw_data`, typed
  /// lists or external data beside the model. A graph whose weights are all
  /// DOUBLE and whose layers are dense, standardize and dropout layers is a
  /// float64 model, its weights exact; otherwise DOUBLE weights are rounded
  /// to Float32.
  ///
  /// - Throws: ``ONNXError`` naming the node or tensor bpkit cannot import,
  ///   or ``ONNXError/invalidMetadata(file:detail:)`` for names that do not fit the network;
  ///   ``FormatError/readFailed(file:operation:reason:)`` when the file cannot be read.
  package init(onnxContentsOf url: URL) throws {
    let file = url.path
    let decoded = try ONNXModelFile.read(file)
    guard decoded.model.hasGraph, decoded.model.irVersion > 0 else {
      throw ONNXError.notONNXModel(file: file, detail: "it has no ir_version or no graph")
    }
    self = try ONNXImporter.importModel(
      decoded.model, file: file, folder: url.deletingLastPathComponent(), rawData: decoded.rawData)
  }
}
