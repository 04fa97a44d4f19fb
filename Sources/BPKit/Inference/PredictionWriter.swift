import Foundation

/// Writes predictions in a ``PredictionFormat``, a batch at a time, as
/// `bpkit infer` does; made by ``PredictionFormat/writer(to:mode:model:loss:)``.
public protocol PredictionWriter: AnyObject {
  /// Writes `count` samples' outputs (`outputs.count / count` values each),
  /// as ``Predictor`` computes them.
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/writeFailed``) when the output cannot be written.
  func write(outputs: [Float], count: Int) throws(BPKitError)
  /// Writes `count` samples' outputs of a float64 model, as ``Predictor``
  /// computes them in Double; bpkit's writers keep every digit (CSV and
  /// JSON shortest round-trip decimals, an HDF5 float64 dataset).
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/writeFailed``) when the
  ///   output cannot be written; by default, a writer of float32 outputs
  ///   only refuses them (``BPKitError/Code/invalidSetting``) rather than round them.
  func write(float64Outputs outputs: [Double], count: Int) throws(BPKitError)
  /// Completes the output (closing brackets, flushing, closing files); a
  /// file is replaced only now, once complete.
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/writeFailed``) when the output cannot be completed.
  func finish() throws(BPKitError)
}

extension PredictionWriter {
  /// Refuses a float64 model's outputs: a writer that takes only `Float`
  /// would round them.
  public func write(float64Outputs outputs: [Double], count: Int) throws(BPKitError) {
    throw BPKitError(EngineError.dtypeMismatch(model: .float64, engine: .float32))
  }
}

extension PredictionFormat {
  /// Opens a writer of this format onto `output`, for `model`'s predictions.
  ///
  /// - Parameters:
  ///   - output: Where to write: a file (replaced once the writer finishes),
  ///     a device, or standard output. HDF5 needs a file.
  ///   - mode: What to write for each sample.
  ///   - model: The model predicting: its output shape nests sequence
  ///     outputs, and its class names name the classes.
  ///   - loss: The loss that trained the model, when known: a from-logits
  ///     loss makes its linear outputs logits, whose class is the largest
  ///     (or one logit above 0) and whose top-k scores are their softmax (or
  ///     sigmoid) probabilities (``NetworkDescription/outputKind(loss:)``).
  /// - Throws: ``BPKitError`` when an HDF5 output cannot be created;
  ///   ``BPKitError`` for an invalid network description;
  ///   ``BPKitError/Code/invalidSetting`` when `mode` ranks classes of a
  ///   model that is not a classifier, or asks for more classes than it
  ///   has (``PredictionMode/check(against:of:naming:lossSetting:)``), or
  ///   when a from-logits `loss` is given for a softmax or sigmoid output.
  public func writer(to output: OutputFile, mode: PredictionMode, model: Model, loss: Loss? = nil)
    throws(BPKitError) -> any PredictionWriter
  {
    do {
      let kind = try model.network.outputKind(loss: loss)
      try mode.check(against: kind, of: "the model")
      let sampleShape: [Int]
      switch try model.network.outputShape() {
      case .vector(let units): sampleShape = [units]
      case .sequence(let steps, let units): sampleShape = [steps ?? 0, units]
      }
      let classNames = model.names.classes
      switch self {
      case .csv: return CSVPredictionWriter(sink: TextSink(output), mode: mode, kind: kind, classNames: classNames)
      case .json, .jsonl:
        return JSONPredictionWriter(
          sink: TextSink(output), mode: mode, kind: kind, classNames: classNames, lines: self == .jsonl,
          sampleShape: sampleShape)
      case .h5:
        return try HDF5PredictionWriter(
          output, mode: mode, kind: kind, classNames: classNames, sampleShape: sampleShape, dtype: model.dtype)
      }

    } catch {
      throw BPKitError(error)
    }
  }
}
