import ArgumentParser
import BPKit
import Foundation

/// `bpkit convert`: moves a model or checkpoint between bpkit JSON, bpkit
/// HDF5 and Keras' two formats.
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Convert a model or checkpoint between bpkit HDF5, bpkit JSON and Keras files.",
    discussion: """
      The input's kind is read from its content (a Keras .h5 and a bpkit .h5 \
      share the extension); the output's from its extension (.json: bpkit \
      JSON, .keras: Keras 3 archive, .h5: bpkit HDF5) unless --to says otherwise. \
      Conversions between bpkit HDF5 and JSON are lossless, tensors bit for bit. \
      A Keras file becomes a bpkit model; a bpkit checkpoint written to Keras \
      keeps its optimizer state and loss, so Keras can continue training.

      KINDS
        json      bpkit JSON (see `bpkit schema`)
        keras     Keras 3 .keras archive
        keras-h5  Keras legacy HDF5 (model.save("m.h5"))
      """
  )

  /// The output kinds, by their names on the command line.
  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case json
    case keras
    case kerasH5 = "keras-h5"
  }

  @Argument(help: "The model or checkpoint to read.")
  var input: String

  @Argument(help: "The file to write; it is replaced atomically when it exists.")
  var output: String

  @Option(help: "The output kind: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
  var to: Kind?

  @Option(help: "How JSON output holds tensors: numbers (shortest round-trip decimals) or base64.")
  var weights: BPKitJSON.WeightEncoding = .numbers

  func validate() throws {
    if to == nil, Self.kind(fromExtensionOf: output) == nil {
      throw ValidationError(
        "cannot tell the output kind from '\(output)'; name it .json or .keras, or give --to")
    }
  }

  static func kind(fromExtensionOf path: String) -> Kind? {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "json": .json
    case "keras": .keras
    default: nil
    }
  }

  func run() throws {
    try ExitStatus.reporting {
      let document = try ModelFile.open(input)
      let kind = to ?? Self.kind(fromExtensionOf: output)!
      switch kind {
      case .json:
        switch document {
        case .model(let model): try model.writeJSON(toPath: output, weights: weights)
        case .checkpoint(let checkpoint): try checkpoint.writeJSON(toPath: output, weights: weights)
        case .keras(let keras):
          try keras.model.writeJSON(toPath: output, weights: weights)
          if keras.optimizer != nil {
            note("the Keras optimizer state is not kept: a bpkit model holds no training state")
          }
        }
      case .keras, .kerasH5:
        let keras = document.asKeras
        try keras.write(toPath: output, format: kind == .keras ? .archive : .legacyHDF5)
      }
    }
  }

  private func note(_ text: String) {
    FileHandle.standardError.write(Data("bpkit: note: \(text)\n".utf8))
  }
}

extension BPKitJSON.WeightEncoding: ExpressibleByArgument {}
