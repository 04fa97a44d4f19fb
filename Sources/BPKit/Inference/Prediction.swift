/// A whole prediction job, as `bpkit infer` runs it: every sample of a
/// ``SampleReader`` through a ``Predictor``, a batch at a time, into a
/// ``PredictionWriter``, evaluated against the samples' labels when asked;
/// on one process, or shared among the ranks of a ``Communicator``.
///
/// ```swift
/// let model = try BPKitFile.open(URL(fileURLWithPath: "run.ckpt.h5")).model
/// let source = try SampleFile.open("big.h5", layout: SampleLayout(model.network.input))
/// let output = try OutputFile(replacing: "predictions.csv")
/// let outcome = try Prediction.run(
///   source: source, predictor: try Predictor(model: model),
///   writer: try PredictionFormat.csv.writer(to: output, mode: .outputs, model: model))
/// print(outcome.sampleCount)
/// ```
///
/// Memory stays bounded by the batch size whatever the input's size. A
/// sample's outputs do not depend on its batch, so the predictions are the
/// same for any batch size and any number of ranks, bit for bit.
public enum Prediction {
  /// Runs every sample of `source` through `predictor` and writes the outputs.
  ///
  /// With a `communicator` of N ranks, every rank calls this with its own
  /// reader of the same input: the batches are dealt to the ranks in turn
  /// (batch i to rank i mod N); each rank predicts only its own and sends
  /// the outputs to rank 0, which writes (and evaluates) every batch in
  /// input order. The output is byte for byte the one of a single process.
  /// The ranks check that they read the same batches, and throw
  /// ``DistributedError/inputDiffers(rank:batch:expected:actual:)`` when not.
  /// An HDF5 input's rows are read only by the rank that predicts them
  /// (and by rank 0 too when it evaluates); other inputs are parsed by every rank.
  ///
  /// - Parameters:
  ///   - source: The samples, positioned at the first one.
  ///   - predictor: The network to run.
  ///   - writer: Where the outputs go, or `nil` to evaluate only; made once,
  ///     before the first batch, and on rank 0 only, and finished after the last.
  ///   - evaluate: Whether to compare the outputs with the samples' labels
  ///     (open the source with labels), as ``Evaluation`` does.
  ///   - loss: The loss the network was trained with, when its file records
  ///     it or the caller knows it: a from-logits loss evaluates the outputs
  ///     as logits (``Evaluation/init(network:loss:)``); `nil` evaluates by
  ///     the output layer.
  ///   - batchSize: The samples per batch, at least 1; 1 writes each
  ///     sample's prediction as soon as it is read (a pipeline).
  ///   - communicator: The ranks sharing the job, or `nil` for this process alone.
  ///   - probabilityClip: ε of the evaluation's clip of probabilities
  ///     (``Evaluation/probabilityClip``): a run's own
  ///     (``TrainingConfiguration/probabilityClip``), or `nil` for Keras' 1e-7.
  /// - Returns: The number of samples and, on rank 0, the evaluation.
  /// - Throws: ``BPKitError``: a source holding no samples, a bad value in
  ///   it, samples that do not fit the network, samples without labels to
  ///   evaluate, a writer's failure; the communicator's failures
  ///   (``BPKitError/Code/communication``), after which the caller ends the
  ///   job (``Communicator/abort(exitCode:)``), since other ranks may wait for this one.
  public static func run(
    source: any SampleReader, predictor: Predictor,
    writer: @autoclosure () throws(BPKitError) -> (any PredictionWriter)?, evaluate: Bool = false,
    loss: Loss? = nil, batchSize: Int = 256, communicator: (any Communicator)? = nil, probabilityClip: Double? = nil
  ) throws(BPKitError) -> PredictionOutcome {
    do {
      guard batchSize >= 1 else { throw TrainingError.invalidSetting("the batch size must be at least 1") }
      var job = try PredictionJob(
        source: source, predictor: predictor, evaluate: evaluate, loss: loss, probabilityClip: probabilityClip,
        batchSize: batchSize, communicator: communicator)
      let writer = job.rank == 0 ? try writer() : nil
      try job.run(writer: writer)
      return PredictionOutcome(sampleCount: job.sampleCount, evaluation: job.evaluation)

    } catch {
      throw BPKitError(error)
    }
  }
}

/// What ``Prediction/run(source:predictor:writer:evaluate:loss:batchSize:communicator:probabilityClip:)`` did.
public struct PredictionOutcome: Sendable {
  /// The number of samples predicted, by all ranks together.
  public var sampleCount: Int
  /// The outputs compared with the labels, when evaluation was asked for;
  /// on a communicator, at rank 0 only (`nil` elsewhere).
  public var evaluation: Evaluation?
}
