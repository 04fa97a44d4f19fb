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

  @Argument(help: "The model or checkpoint to read: bpkit HDF5 or JSON, Keras .keras or .h5.")
  var input: String

  @Argument(
    help: """
      The file to write: an existing file is replaced atomically (through symbolic links), a device or FIFO \
      is written in place, - is standard output; never the input.
      """)
  var output: String

  @Option(help: "The output kind: \(FileFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
  var to: FileFormat?

  @Option(help: "How JSON output holds tensors: numbers (shortest round-trip decimals) or base64.")
  var weights: BPKitJSON.WeightEncoding = .numbers

  @Option(help: "The network of a plain PyTorch state_dict in safetensors, as `bpkit train --layers` takes it.")
  var layers: String?

  @Option(help: "The ONNX opset to write (\(ONNXFormat.opsets.lowerBound) to \(ONNXFormat.opsets.upperBound)).")
  var opset: Int = ONNXFormat.defaultOpset

  @Option(
    help: ArgumentHelp(
      "The precision of the written weights and optimizer slots: float32 or float64 (default: the input's). "
        + "float64 widens exactly; float32 rounds a float64 file's values to the nearest float32, with a note."))
  var dtype: DType?

  @Flag(help: "Write only the model (network and weights) of a checkpoint or a Keras file, without training state.")
  var modelOnly = false

  @Flag(help: "Skip fsync: faster, but a power failure may lose the new file (for scratch files and benchmarks).")
  var noSync = false

  func validate() throws {
    if to == nil, FileFormat(pathExtensionOf: output) == nil {
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

  func run() throws {
    try ExitStatus.reporting {
      let url = URL(fileURLWithPath: input)
      if SafetensorsFormat.looksLikeSafetensors(atPath: input) {
        for text in try SafetensorsFormat.readingNotes(ofFileAtPath: input) { note(text) }
      } else if ONNXFormat.looksLikeONNX(atPath: input) {
        for text in try ONNXFormat.readingNotes(ofFileAtPath: input) { note(text) }
      }
      let format = to ?? FileFormat(pathExtensionOf: output)!
      let options = FileWriteOptions(synchronize: !noSync, inputs: [input], jsonWeights: weights, onnxOpset: opset)
      var file: BPKitFile
      if format == .json, layers == nil, dtype == nil {
        // A bpkit model file into base64 JSON streams, tensor slice by slice; anything else comes back loaded.
        guard
          let loaded = try BPKitFile.writeJSONStreaming(from: url, to: URL(fileURLWithPath: output), options: options)
        else { return }
        file = loaded
      } else if format == .hdf5, layers == nil, dtype == nil {
        // A bpkit JSON model document into HDF5 streams, base64 decoded in pieces; anything else comes back loaded.
        guard
          let loaded = try BPKitFile.writeHDF5Streaming(from: url, to: URL(fileURLWithPath: output), options: options)
        else { return }
        file = loaded
      } else {
        file = try BPKitFile.open(url, network: try layers.map { try NetworkDescription(layerSpecification: $0) })
      }
      // Whatever bpkit could not take from a Keras file, it says.
      if case .keras(let keras) = file { for warning in keras.warnings { note("\(input): not kept: \(warning)") } }
      if modelOnly { file = .model(file.model) }
      if let dtype, dtype != file.model.dtype {
        if dtype == .float32 {
          note("\(input): its float64 weights are rounded to the nearest float32 (--dtype float32)")
        }
        file = file.converted(to: dtype)
      }
      let notes = try file.write(to: URL(fileURLWithPath: output), format: format, options: options)
      for text in notes { note(text) }
    }
  }

  private func note(_ text: String) {
    FileHandle.standardError.write(Data("bpkit: note: \(text)\n".utf8))
  }
}

extension BPKitJSON.WeightEncoding: ExpressibleByArgument {}
extension FileFormat: ExpressibleByArgument {}
