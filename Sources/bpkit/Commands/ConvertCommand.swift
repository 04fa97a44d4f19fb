import ArgumentParser
import BPKit
import Foundation

/// `bpkit convert`: moves a model or checkpoint between bpkit HDF5, bpkit
/// JSON and Keras' two formats.
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Convert a model or checkpoint between bpkit HDF5, bpkit JSON, Keras and ONNX files.",
    discussion: """
      The input's kind is read from its content (a Keras .h5 and a bpkit .h5 \
      share the extension); the output's from its extension (.h5: bpkit HDF5, \
      .json: bpkit JSON, .keras: Keras 3 archive) unless --to says otherwise. \
      Conversions between bpkit HDF5 and JSON are lossless, tensors bit for \
      bit, for models and checkpoints. A Keras file becomes a bpkit model. A \
      bpkit checkpoint written for Keras keeps its optimizer state and loss, so \
      that Keras can continue training (Keras 3 restores optimizer state from \
      .keras archives only).

      KINDS
        h5        bpkit HDF5 model or checkpoint
        json      bpkit JSON model or checkpoint (see `bpkit schema`)
        keras     Keras 3 .keras archive
        keras-h5  Keras legacy HDF5, as model.save("m.h5") writes it
        onnx      ONNX model (opset 17 unless --opset says otherwise), for
                  onnxruntime and the other ONNX runtimes; weights only
        safetensors
                  PyTorch's safetensors, tensors named as nn.Sequential names
                  them (Schemas/PYTORCH.md); weights only

      A plain PyTorch state_dict in safetensors holds no network: give it with \
      --layers (the syntax of `bpkit train --layers`); a safetensors file bpkit \
      wrote needs none. F16 and BF16 tensors are widened exactly to Float32, \
      F64 rounded, with a note.

      Exit codes: 3 when the input is not a model, breaks the JSON schema \
      (the message gives the JSONPath of the offending value) or holds Keras \
      layers bpkit lacks (each is named); 4 when a file cannot be read or written.
      """
  )

  /// The output kinds, by their names on the command line.
  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case h5
    case json
    case keras
    case kerasH5 = "keras-h5"
    case onnx
    case safetensors
  }

  @Argument(help: "The model or checkpoint to read: bpkit HDF5 or JSON, Keras .keras or .h5.")
  var input: String

  @Argument(
    help: """
      The file to write: an existing file is replaced atomically (through symbolic links), a device or FIFO \
      is written in place, - is standard output; never the input.
      """)
  var output: String

  @Option(help: "The output kind: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
  var to: Kind?

  @Option(help: "How JSON output holds tensors: numbers (shortest round-trip decimals) or base64.")
  var weights: BPKitJSON.WeightEncoding = .numbers

  @Option(help: "The network of a plain PyTorch state_dict in safetensors, as `bpkit train --layers` takes it.")
  var layers: String?

  @Option(help: "The ONNX opset to write (\(ONNXFormat.opsets.lowerBound) to \(ONNXFormat.opsets.upperBound)).")
  var opset: Int = ONNXFormat.defaultOpset

  @Flag(help: "Write only the model (network and weights) of a checkpoint or a Keras file, without training state.")
  var modelOnly = false

  @Flag(help: "Skip fsync: faster, but a power failure may lose the new file (for scratch files and benchmarks).")
  var noSync = false

  func validate() throws {
    if to == nil, Self.kind(fromExtensionOf: output) == nil {
      throw ValidationError(
        "cannot tell the output kind from '\(output)'; name it .h5, .json, .keras, .onnx or .safetensors, or give --to")
    }
    if layers != nil, !SafetensorsFormat.looksLikeSafetensors(atPath: input) {
      throw ValidationError("--layers applies only to safetensors input; '\(input)' is not a safetensors file")
    }
    guard ONNXFormat.opsets.contains(opset) else {
      throw ValidationError(ONNXError.unsupportedOpset(opset).description)
    }
  }

  static func kind(fromExtensionOf path: String) -> Kind? {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "h5", "hdf5": .h5
    case "json": .json
    case "keras": .keras
    case "onnx": .onnx
    case "safetensors": .safetensors
    default: nil
    }
  }

  func run() throws {
    try ExitStatus.reporting {
      var file = try openInput()
      // Whatever bpkit could not take from a Keras file, it says.
      if case .keras(let keras) = file { for warning in keras.warnings { note("\(input): not kept: \(warning)") } }
      if modelOnly { file = .model(file.model) }
      let outputURL = URL(fileURLWithPath: output)
      let options = FileWriteOptions(synchronize: !noSync, inputs: [input])
      let kind = to ?? Self.kind(fromExtensionOf: output)!
      switch kind {
      case .h5:
        switch file {
        case .checkpoint(let checkpoint): try checkpoint.write(to: outputURL, options: options)
        default:
          try file.model.write(to: outputURL, options: options)
          noteDroppedState(file)
        }
      case .json:
        switch file {
        case .checkpoint(let checkpoint): try checkpoint.writeJSON(toPath: output, weights: weights, options: options)
        default:
          try file.model.writeJSON(toPath: output, weights: weights, options: options)
          noteDroppedState(file)
        }
      case .keras, .kerasH5:
        let keras = keras(file)
        try keras.write(toPath: output, format: kind == .keras ? .archive : .legacyHDF5, options: options)
        if let loss = keras.loss, keras.writtenLoss == nil {
          note(
            "the loss \(loss.rawValue) is not written: Keras compiles a model with its optimizer, and there is none "
              + "to write, so the Keras file holds the model uncompiled")
        }
      case .onnx:
        try file.model.writeONNX(to: outputURL, opset: opset, options: options)
        noteDroppedTrainingState(file, format: "an ONNX file")
      case .safetensors:
        try file.model.writeSafetensors(to: outputURL, options: options)
        noteDroppedTrainingState(file, format: "a safetensors file")
      }
    }
  }

  /// The input, with --layers for a safetensors state_dict.
  private func openInput() throws -> BPKitFile {
    let url = URL(fileURLWithPath: input)
    guard SafetensorsFormat.looksLikeSafetensors(atPath: input) else {
      return try BPKitFile.open(url)
    }
    let types = try SafetensorsFormat.elementTypes(ofFileAtPath: input)
    if types.contains("F16") || types.contains("BF16") {
      note("F16 and BF16 tensors are widened exactly to Float32, as bpkit stores weights")
    }
    if types.contains("F64") { note("F64 tensors are rounded to Float32, as bpkit stores weights") }
    let network = try layers.map { try NetworkDescription(layerSpecification: $0) }
    return .model(try Model(safetensorsContentsOf: url, network: network))
  }

  /// The content as a Keras model with whatever training state Keras can hold.
  private func keras(_ file: BPKitFile) -> KerasModel {
    switch file {
    case .keras(let keras): return keras
    case .checkpoint(let checkpoint):
      guard checkpoint.optimizer.configuration.kind != .rprop else {
        note("Keras has no RPROP optimizer: the model is written without a compiled optimizer")
        return KerasModel(model: checkpoint.model, loss: checkpoint.configuration.loss)
      }
      return KerasModel(model: checkpoint.model, optimizer: checkpoint.optimizer, loss: checkpoint.configuration.loss)
    default: return KerasModel(model: file.model)
    }
  }

  private func noteDroppedTrainingState(_ file: BPKitFile, format: String) {
    if file.optimizer != nil {
      note("the optimizer state and training progress are not kept: \(format) holds the model alone")
    }
  }

  private func noteDroppedState(_ file: BPKitFile) {
    if case .keras(let keras) = file, keras.optimizer != nil {
      note("the Keras optimizer state is not kept: a bpkit model file holds no training state")
    }
  }

  private func note(_ text: String) {
    FileHandle.standardError.write(Data("bpkit: note: \(text)\n".utf8))
  }
}

extension BPKitJSON.WeightEncoding: ExpressibleByArgument {}
