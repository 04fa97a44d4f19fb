import ArgumentParser
import BPKit
import Foundation
import HDF5

/// `bpkit infer`: runs a trained network on new data.
struct InferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "infer",
    abstract: "Run a trained network on new data.",
    discussion: """
      MODEL is any file bpkit opens: a model, a checkpoint (its weights) or a Keras file.

      INPUT: CSV with or without a header (--ignore drops named columns; a --labels \
      column is never an input), an HDF5 dataset (--x; 2-D, or 3-D [samples, steps, \
      features] for sequence models), JSON (an array of rows) or JSON Lines. With \
      --input -, CSV or JSON Lines are read from standard input and each line's \
      prediction is written and flushed at once, so bpkit can sit in a pipeline.

      OUTPUT: the model's outputs (probabilities for softmax and sigmoid outputs; \
      logits for a linear output trained with a from-logits loss, as Keras' predict \
      gives them) by default, class ids with --argmax, the best K classes with scores \
      with --top-k. Written to standard output unless --output; the format comes from \
      --format, else the output's extension, else CSV (JSON Lines for JSON Lines input).

      LOGITS: a model trained with a from-logits loss (its checkpoint or Keras file \
      records it; for a model file give --loss) takes --argmax and --top-k too: the \
      class is the largest logit, or 1 for a single logit above 0, and --top-k scores \
      are the softmax (or sigmoid) probabilities of the logits, the same numbers as a \
      softmax (or sigmoid) output layer would give. A model file with a linear output \
      and no --loss is refused with --argmax or --top-k.

      EVALUATION: with --labels (a CSV column, an HDF5 dataset, or the "label" member \
      of object rows {"input": [...], "label": n} in JSON), loss, accuracy and a \
      confusion matrix (for classifiers) are printed after the predictions (to \
      standard error when predictions go to standard output), or alone with --metrics-only. \
      The loss is the one the file records (a checkpoint's or a Keras file's): a from-logits \
      loss reads the outputs as logits (cross-entropy lse(z) - z_label, binary \
      cross-entropy from logits, the class the largest logit or a logit above 0), as \
      Keras' evaluate does. A model file does not record its loss: a linear output is \
      then evaluated as values (mean squared error) with a note, unless --loss names \
      the loss that trained it.
      """
  )

  @Argument(help: ArgumentHelp("The model, checkpoint or Keras file.", valueName: "model"))
  var model: String

  @Option(name: .shortAndLong, help: ArgumentHelp("The input file, or - for standard input.", valueName: "file"))
  var input: String

  @Option(name: .shortAndLong, help: ArgumentHelp("The output file, or - for standard output.", valueName: "file"))
  var output: String = "-"

  @Option(name: .long, help: "The output format: csv, json, jsonl or h5.")
  var format: PredictionFormat?

  @Option(
    name: .long, help: ArgumentHelp("HDF5 input: the inputs dataset (default /x, else /test/x).", valueName: "path"))
  var x: String?

  @Flag(name: .long, help: "Write the predicted class id of each sample.")
  var argmax = false

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Write the K most likely classes with their scores.", valueName: "k"))
  var topK: Int?

  @Option(name: .long, parsing: .unconditional, help: "Samples per batch when reading files.")
  var batchSize = 256

  @Option(
    name: .long, parsing: .unconditional,
    help:
      ArgumentHelp(
        "Threads per matrix product. One spends the least processor time; more lower the latency of large layers, "
          + "even one sample at a time. The outputs are the same for any count.")
  )
  var threads = 1

  @Option(
    name: .long, parsing: .upToNextOption,
    help: ArgumentHelp("CSV columns to drop (comma-separated or repeated).", valueName: "columns"))
  var ignore: [String] = []

  @Option(
    name: .long, help: ArgumentHelp("Evaluate against labels: a CSV column or HDF5 dataset.", valueName: "labels"))
  var labels: String?

  @Flag(name: .long, help: "Print only the evaluation, not the predictions (needs --labels).")
  var metricsOnly = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With --labels, --argmax or --top-k: the loss that trained the model, for a file that does not record it "
        + "(a model file); a from-logits loss reads the outputs as logits.", valueName: "loss"))
  var loss: LossOption?

  func validate() throws {
    if argmax && topK != nil { throw ValidationError("give either --argmax or --top-k, not both") }
    if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1") }
    if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
    if metricsOnly && labels == nil { throw ValidationError("--metrics-only needs --labels") }
    if loss != nil && labels == nil && !argmax && topK == nil {
      throw ValidationError("--loss needs --labels, --argmax or --top-k: it says how to read the outputs")
    }
    if format == .h5 && output == "-" { throw ValidationError("HDF5 output needs a file: give --output FILE.h5") }
  }

  func run() throws {
    let communicator = try ProcessGroup.communicator()
    try ProcessGroup.reporting(communicator) {
      let file = try openModel()
      let model = file.model
      let trainedLoss = try trainedLoss(recorded: file.loss, of: model, noting: communicator?.rank ?? 0 == 0)
      let predictor = try Predictor(model: model)
      Kernels.threads = threads
      let mode: PredictionMode = argmax ? .argmax : topK.map { .topK($0) } ?? .outputs
      try mode.check(
        against: try model.network.outputKind(loss: trainedLoss), of: self.model,
        naming: argmax ? "--argmax" : "--top-k",
        lossSetting: trainedLoss == nil && model.network.hasLinearOutput ? "--loss" : nil)
      if communicator != nil && input == "-" {
        throw ValidationError(
          "under mpirun, standard input reaches rank 0 only, so the ranks cannot share it; save it to a file and "
            + "give that file with --input")
      }
      let rank = communicator?.rank ?? 0
      let source = try makeInput(for: model, noting: rank == 0)
      // Standard input is predicted a sample at a time, each line's prediction written as soon as it is read.
      let outcome = try Prediction.run(
        source: source, predictor: predictor,
        writer: metricsOnly
          ? nil : try makeWriter(mode: mode, model: model, loss: trainedLoss, inputIsLines: source is JSONSampleReader),
        evaluate: labels != nil, loss: trainedLoss, batchSize: input == "-" ? 1 : batchSize,
        communicator: communicator, probabilityClip: file.probabilityClip)
      if let evaluation = outcome.evaluation {
        report(evaluation, classNames: model.names.classes, toStandardError: !metricsOnly && output == "-")
      }
    }
  }

  /// The model; when MODEL is not one but --input is, the arguments were swapped, and the message says so.
  private func openModel() throws -> BPKitFile {
    do {
      return try BPKitFile.open(URL(fileURLWithPath: model))
    } catch {
      let inputIsModel =
        input != "-" && HDF5Signature.isPresent(atPath: input) || KerasModel.format(ofFileAtPath: input) != nil
      if inputIsModel, (try? BPKitFile.open(URL(fileURLWithPath: input))) != nil {
        throw ValidationError(
          "\(model) is not a model, but --input \(input) is one: the model comes first, as in "
            + "'bpkit infer \(input) --input \(model)'")
      }
      throw error
    }
  }

  /// The loss that trained the model, which says how to read its outputs: the file's, or --loss. With --labels,
  /// a linear output whose loss nobody gave is evaluated as values, with a note (on rank 0) saying how a model
  /// trained from logits is evaluated instead.
  private func trainedLoss(recorded: Loss?, of model: Model, noting: Bool) throws -> Loss? {
    if let given = loss?.loss, let recorded, given != recorded {
      throw ValidationError(
        "--loss \(given.rawValue) differs from the loss \(recorded.rawValue) that \(self.model) records; "
          + "leave --loss out")
    }
    let chosen = loss?.loss ?? recorded
    // With --argmax or --top-k, the refusal names --loss instead.
    if chosen == nil, labels != nil, !argmax, topK == nil, noting, model.network.hasLinearOutput {
      FileHandle.standardError.write(
        Data(
          ("bpkit: note: \(self.model) does not record the loss that trained it, so its linear outputs are "
            + "evaluated as values (mean squared error); for a model trained from logits give --loss "
            + "cross-entropy-from-logits, sparse-cross-entropy-from-logits or binary-cross-entropy-from-logits\n")
            .utf8))
    }
    return chosen
  }

  /// The input; `noting` says which CSV columns the model does not take (once, on rank 0 under mpirun).
  private func makeInput(for model: Model, noting: Bool) throws -> any SampleReader {
    // CSV columns are matched to the model's features by name, and text labels to its classes.
    let source = try SampleFile.open(
      input, layout: SampleLayout(model.network.input), inputs: x, labels: labels,
      ignore: ignore.flatMap { $0.split(separator: ",").map(String.init) }, names: model.names, dtype: model.dtype)
    if noting, let csv = source as? CSVSampleReader { Self.noteUnused(csv) }
    return source
  }

  /// Says which header columns the model does not take.
  private static func noteUnused(_ csv: CSVSampleReader) {
    guard !csv.unusedColumns.isEmpty else { return }
    let plural = csv.unusedColumns.count == 1 ? "column" : "columns"
    FileHandle.standardError.write(
      Data(
        ("bpkit: note: \(csv.source): \(plural) \(csv.unusedColumns.joined(separator: ", ")) "
          + "\(csv.unusedColumns.count == 1 ? "is" : "are") not among the model's features; ignored\n").utf8))
  }

  /// The writer of the predictions; `validate()` has refused HDF5 to standard output.
  private func makeWriter(mode: PredictionMode, model: Model, loss: Loss?, inputIsLines: Bool) throws(BPKitError)
    -> any PredictionWriter
  {
    let destination = output == OutputFile.standardOutputName ? nil : output
    let chosen =
      format ?? destination.flatMap { PredictionFormat(path: $0) } ?? (inputIsLines && input == "-" ? .jsonl : .csv)
    // Predictions never replace what this command reads.
    let file = try OutputFile(replacing: output, options: FileWriteOptions(inputs: [self.model, input]))
    return try chosen.writer(to: file, mode: mode, model: model, loss: loss)
  }

  private func report(_ evaluation: Evaluation, classNames: [String]?, toStandardError: Bool) {
    let text = evaluation.report(classNames: classNames)
    if toStandardError {
      FileHandle.standardError.write(Data(text.utf8))
    } else {
      print(text, terminator: "")
    }
  }
}

extension PredictionFormat: ExpressibleByArgument {}
