import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

/// A bpkit JSON model document converted to HDF5 by streaming
/// (``BPKitFile/writeHDF5Streaming(from:to:trust:options:)``): the bytes of
/// loading the document and writing it, and the same refusals.
@Suite struct ModelHDF5StreamTests {
  let folder: TemporaryDirectory
  let options = FileWriteOptions(synchronize: false)

  init() throws {
    folder = try TemporaryDirectory()
  }

  /// A model whose 1000 × 1000 kernel is decoded in two pieces of rows (786
  /// rows of 4,000 bytes, then 214), with -0, subnormals, the largest
  /// magnitude and names.
  func model() throws -> Model {
    let network = FormatSamples.denseNetwork(inputs: 1000, hidden: [1000, 5], outputs: 3)
    return try FormatSamples.model(network, special: true).named(
      ModelNames(features: (0..<1000).map { "f\($0)" }, classes: ["a", "b", "c"]))
  }

  /// Writes `model` as a JSON document with `weights`, returning its URL.
  func document(_ model: Model, weights: BPKitJSON.WeightEncoding = .base64) throws -> URL {
    let url = folder.url.appendingPathComponent("model.json")
    try BPKitFile.model(model).write(to: url, format: .json, options: FileWriteOptions(jsonWeights: weights))
    return url
  }

  @Test(arguments: [BPKitJSON.WeightEncoding.base64, .numbers])
  func aModelDocumentStreamsToTheBytesOfLoadingAndWritingIt(weights: BPKitJSON.WeightEncoding) throws {
    let model = try model()
    let input = try document(model, weights: weights)
    let loaded = folder.url.appendingPathComponent("loaded.h5")
    let streamed = folder.url.appendingPathComponent("streamed.h5")
    try BPKitFile.open(input).write(to: loaded, format: .hdf5, options: options)
    #expect(try BPKitFile.writeHDF5Streaming(from: input, to: streamed, options: options) == nil)
    #expect(try Data(contentsOf: streamed) == Data(contentsOf: loaded))
    #expect(try Model(contentsOf: streamed) == model)
  }

  /// Checkpoints, float64 models, HDF5 input and a device are not
  /// streamed: the loaded file comes back for the caller to write.
  @Test func whatDoesNotStreamComesBackLoaded() throws {
    let model = try FormatSamples.model(FormatSamples.denseNetwork())
    let wide = try FormatSamples.float64Model(FormatSamples.denseNetwork())
    let checkpoint = folder.url.appendingPathComponent("run.json")
    try BPKitFile.checkpoint(FormatSamples.checkpoint(model)).write(to: checkpoint, format: .json)
    let float64 = folder.url.appendingPathComponent("wide.json")
    try BPKitFile.model(wide).write(to: float64, format: .json)
    let h5 = folder.url.appendingPathComponent("model.h5")
    try model.write(to: h5)
    let json = try document(model)
    let output = folder.url.appendingPathComponent("out.h5")
    for (input, to, expected) in [
      (checkpoint, output, model), (float64, output, wide), (h5, output, model),
      (json, URL(fileURLWithPath: "/dev/null"), model),
    ] {
      let file = try #require(try BPKitFile.writeHDF5Streaming(from: input, to: to, options: options))
      #expect(file.model == expected, "\(input.lastPathComponent) to \(to.path)")
      #expect(!FileManager.default.fileExists(atPath: output.path))
    }
  }

  enum Damage: String, CaseIterable {
    case badCharacterInTheSecondPiece, paddingInTheMiddle, wrongLength, nanWeight, nanWeightAndBadCharacter
    case wrongShape, wrongClassNameCount, unknownMemberAfterTheWeights, truncated
  }

  /// Each damaged document is refused with the error loading it gives, and
  /// the existing destination is left as it was, with no file beside it.
  @Test(arguments: Damage.allCases)
  func damagedDocumentsAreRefusedAsLoadingRefusesThem(damage: Damage) throws {
    var model = try model()
    if damage == .nanWeight || damage == .nanWeightAndBadCharacter {
      // A NaN in the output layer, which the file holds after dense_0.
      let key = ParameterKey(layer: "output", name: "kernel")
      var tensor = model.parameters[key]!
      tensor.scalars[4] = .nan
      try model.setParameter(tensor, for: key)
    }
    let input = try document(model)
    var text = try String(contentsOf: input, encoding: .utf8)
    let kernel = try #require(text.range(of: "\"dense_0\": {"))
    let data = try #require(text.range(of: "\"data\": \"", range: kernel.upperBound..<text.endIndex)).upperBound
    func replace(at offset: Int, with character: String) {
      let index = text.index(data, offsetBy: offset)
      text.replaceSubrange(index...index, with: character)
    }
    switch damage {
    case .badCharacterInTheSecondPiece, .nanWeightAndBadCharacter: replace(at: 4_200_000, with: "*")
    case .paddingInTheMiddle: replace(at: 786 * 4000 / 3 * 4 - 1, with: "=")
    case .wrongLength: text.insert(contentsOf: "AAAA", at: data)
    case .nanWeight: break
    case .wrongShape: text = text.replacingOccurrences(of: "\"shape\": [1000, 1000]", with: "\"shape\": [1000, 999]")
    case .wrongClassNameCount: text = text.replacingOccurrences(of: "\"a\", \"b\", \"c\"", with: "\"a\", \"b\"")
    case .unknownMemberAfterTheWeights: text = text.replacingOccurrences(of: "\"class_names\"", with: "\"classes\"")
    case .truncated: text = String(text.dropLast(3))
    }
    try text.write(to: input, atomically: false, encoding: .utf8)
    let output = folder.url.appendingPathComponent("out.h5")
    try Data("previous".utf8).write(to: output)
    var expected: BPKitError?
    do { _ = try BPKitFile.open(input) } catch { expected = error }
    let refusal = try #require(expected, "\(damage) must be refused")
    #expect {
      _ = try BPKitFile.writeHDF5Streaming(from: input, to: output, options: options)
    } throws: { error in
      "\(error)" == "\(refusal)" && (error as? BPKitError)?.code == refusal.code
    }
    #expect(try Data(contentsOf: output) == Data("previous".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["model.json", "out.h5"])
  }
}
