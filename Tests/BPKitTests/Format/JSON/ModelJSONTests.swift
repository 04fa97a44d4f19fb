import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

@Suite struct ModelJSONTests {
  static let encodings = BPKitJSON.WeightEncoding.allCases

  @Test(arguments: SampleModels.all.map(\.0), encodings)
  func roundTripsEveryLayerAndActivation(name: String, encoding: BPKitJSON.WeightEncoding) throws {
    let network = SampleModels.all.first { $0.0 == name }!.1
    let model = SampleModels.model(network)
    let data = try model.jsonData(weights: encoding)
    JSONOutputs.keep(data, kind: "model", name: "\(name)_\(encoding).json")
    #expect(try Model(jsonData: data) == model)
    guard case .model(let read) = try BPKitJSON.read(data) else {
      Issue.record("not read as a model")
      return
    }
    #expect(read == model)
  }

  @Test func networkPartMatchesTheCodableForm() throws {
    let model = SampleModels.model(SampleModels.all[0].1)
    let document = try JSONSerialization.jsonObject(with: try model.jsonData()) as! [String: Any]
    let codable = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(model.network)) as! [String: Any]
    let same = NSDictionary(dictionary: codable).isEqual(to: [
      "input": document["input"]!, "layers": document["layers"]!,
    ])
    #expect(same)
  }

  @Test func writesAFileAtomicallyAndReadsItBack() throws {
    let folder = try TemporaryDirectory()
    let model = SampleModels.model(SampleModels.all[2].1)
    try model.writeJSON(toPath: folder.path("m.json"), weights: .base64)
    #expect(try Model(jsonContentsOf: folder.path("m.json")) == model)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["m.json"])
  }

  @Test func namesTheFileWhenReadingFails() throws {
    let folder = try TemporaryDirectory()
    try Data("{\"kind\": \"bpkit-model\"}".utf8).write(to: folder.url.appendingPathComponent("bad.json"))
    expectReason(
      BPKitJSONError.schemaViolation(
        file: folder.path("bad.json"), path: "$", detail: "missing the required member 'format_version'")
    ) { try Model(jsonContentsOf: folder.path("bad.json")) }
    expectReason(BPKitJSONError.unreadable(file: folder.path("none.json"), reason: "No such file or directory")) {
      try Model(jsonContentsOf: folder.path("none.json"))
    }
  }

  /// A valid document, as a mutable tree, to break one rule at a time.
  private func document() throws -> [String: Any] {
    let network = NetworkDescription(
      input: .vector(features: 2),
      layers: [
        Layer(name: "a", kind: .dense(units: 3, activation: .relu, useBias: true)),
        Layer(name: "b", kind: .dense(units: 2, activation: .elu(alpha: 1), useBias: true)),
        Layer(name: "c", kind: .dense(units: 1, activation: .sigmoid, useBias: false)),
      ])
    return try JSONSerialization.jsonObject(with: SampleModels.model(network).jsonData()) as! [String: Any]
  }

  private func layer(_ document: inout [String: Any], _ index: Int, _ change: (inout [String: Any]) -> Void) {
    var layers = document["layers"] as! [[String: Any]]
    change(&layers[index])
    document["layers"] = layers
  }

  private func weight(
    _ document: inout [String: Any], _ layer: String, _ name: String, _ change: (inout [String: Any]) -> Void
  ) {
    var weights = document["weights"] as! [String: [String: [String: Any]]]
    change(&weights[layer]![name]!)
    document["weights"] = weights
  }

  typealias Mutation = @Sendable (inout [String: Any]) -> Void

  static let violations: [(String, String, String)] = [
    ("units zero", "$.layers[2].units", "expected an integer >= 1, found 0"),
    ("units text", "$.layers[2].units", "expected an integer >= 1, found a string"),
    (
      "unknown type", "$.layers[1].type",
      "expected one of dense, elman, lstm, gru, standardize, dropout, found 'conv2d'"
    ),
    (
      "unknown activation", "$.layers[0].activation",
      "expected one of linear, sigmoid, tanh, relu, leaky_relu, elu, softmax, hard_sigmoid, gelu, gelu_tanh, silu, "
        + "softplus, softsign, selu, hard_silu, relu6, exponential, mish, log_softmax, found 'swiglu'"
    ),
    ("alpha on relu", "$.layers[0].activation.alpha", "only leaky_relu and elu take alpha"),
    ("duplicate name", "$.layers[1].name", "layer names must be unique; 'a' is also the name of $.layers[0]"),
    ("slash in name", "$.layers[0].name", "expected a non-empty name without '/'"),
    (
      "unknown member", "$.layers[0].filters",
      "unknown member; expected only activation, bias_regularizer, kernel_regularizer, name, rate, recurrent_activation, "
        + "recurrent_regularizer, reset_after, return_sequences, trainable, type, unit_forget_bias, units, use_bias"
    ),
    ("negative l2", "$.layers[0].kernel_regularizer.l2", "expected a finite number of at least 0, found -0.5"),
    ("regularizer member", "$.layers[0].kernel_regularizer.l3", "unknown member; expected only l1, l2"),
    (
      "bias regularizer without bias", "$.layers[2]",
      "layer 'c': bias_regularizer applies to a weight 'bias' that this dense layer does not have; remove it"
    ),
    (
      "recurrent regularizer on dense", "$.layers[1]",
      "layer 'b': recurrent_regularizer applies to a weight 'recurrent_kernel' that this dense layer does not have; "
        + "remove it"
    ),
    ("dense with return_sequences", "$.layers[0].return_sequences", "a dense layer has no return_sequences"),
    ("dense with a rate", "$.layers[0].rate", "a dense layer has no rate"),
    (
      "elman without sequence", "$.layers[0]",
      "recurrent layer 'a' receives vectors; it needs sequences [steps, features] (set return_sequences on the recurrent layer before it, or give the network a sequence input)"
    ),
    ("no layers", "$.layers", "expected at least one layer"),
    ("features negative", "$.input.features", "expected an integer >= 1, found -2"),
    ("steps without sequence", "$.input.steps", "steps needs \"sequence\": true"),
    ("wrong kernel shape", "$.weights.a.kernel.shape", "expected [2, 3], the shape the network description declares"),
    ("short data", "$.weights.a.kernel.data", "expected 6 numbers to fill the shape, found 5"),
    ("text in data", "$.weights.a.bias.data[1]", "expected a number, found a string"),
    ("float overflow", "$.weights.a.bias.data[0]", "expected a number within the range of a 32-bit float"),
    ("bad base64", "$.weights.a.bias.data", "not base64: unexpected character at offset 3"),
    (
      "base64 length", "$.weights.a.bias.data", "expected the base64 of 12 bytes (3 float32 values), found 8 characters"
    ),
    (
      "dtype", "$.weights.a.bias.dtype",
      "expected float32, the model's dtype (the document's member \"dtype\", float32 when absent), found float64"
    ),
    ("missing weight", "$.weights.b", "missing weight 'b/bias' of shape [2]"),
    ("extra weight", "$.weights.c.bias", "layer 'c' has no weight named 'bias'; expected kernel"),
    ("unknown layer weights", "$.weights.z", "no layer named 'z' has weight in the network description"),
    ("wrong kind", "$.kind", "expected one of bpkit-model, bpkit-checkpoint, found 'keras'"),
    (
      "newer version", "$.format_version",
      "this document has format version 2, written by a newer bpkit; this bpkit reads version 1 and older: upgrade bpkit"
    ),
    (
      "top-level extra", "$.comment",
      "unknown member; expected only $schema, bpkit_version, class_names, dtype, feature_names, format_version, input, kind, layers, weights"
    ),
  ]

  private func apply(_ name: String, to document: inout [String: Any]) {
    switch name {
    case "units zero": layer(&document, 2) { $0["units"] = 0 }
    case "negative l2": layer(&document, 0) { $0["kernel_regularizer"] = ["l1": 0.0, "l2": -0.5] }
    case "regularizer member": layer(&document, 0) { $0["kernel_regularizer"] = ["l1": 0.0, "l3": 0.5] }
    case "bias regularizer without bias": layer(&document, 2) { $0["bias_regularizer"] = ["l2": 0.5] }
    case "recurrent regularizer on dense": layer(&document, 1) { $0["recurrent_regularizer"] = ["l2": 0.5] }
    case "units text": layer(&document, 2) { $0["units"] = "3" }
    case "unknown type": layer(&document, 1) { $0["type"] = "conv2d" }
    case "unknown activation": layer(&document, 0) { $0["activation"] = "swiglu" }
    case "alpha on relu": layer(&document, 0) { $0["activation"] = ["name": "relu", "alpha": 0.1] }
    case "duplicate name": layer(&document, 1) { $0["name"] = "a" }
    case "slash in name": layer(&document, 0) { $0["name"] = "x/y" }
    case "unknown member": layer(&document, 0) { $0["filters"] = 3 }
    case "dense with return_sequences": layer(&document, 0) { $0["return_sequences"] = true }
    case "dense with a rate": layer(&document, 0) { $0["rate"] = 0.5 }
    case "elman without sequence": layer(&document, 0) { $0["type"] = "elman" }
    case "no layers": document["layers"] = [Any]()
    case "features negative": document["input"] = ["features": -2]
    case "steps without sequence": document["input"] = ["features": 2, "steps": 4]
    case "wrong kernel shape": weight(&document, "a", "kernel") { $0["shape"] = [3, 2] }
    case "short data": weight(&document, "a", "kernel") { $0["data"] = [1, 2, 3, 4, 5] }
    case "text in data": weight(&document, "a", "bias") { $0["data"] = [1, "2", 3] }
    case "float overflow": weight(&document, "a", "bias") { $0["data"] = [1e39, 2, 3] }
    case "bad base64":
      weight(&document, "a", "bias") {
        $0["encoding"] = "base64"; $0["data"] = "AAA*AAAAAAAAAAAA"
      }
    case "base64 length":
      weight(&document, "a", "bias") {
        $0["encoding"] = "base64"; $0["data"] = "AAAAAAAA"
      }
    case "dtype": weight(&document, "a", "bias") { $0["dtype"] = "float64" }
    case "missing weight":
      var weights = document["weights"] as! [String: [String: Any]]
      weights["b"]!["bias"] = nil
      document["weights"] = weights
    case "extra weight":
      var weights = document["weights"] as! [String: [String: Any]]
      weights["c"]!["bias"] = weights["b"]!["bias"]
      document["weights"] = weights
    case "unknown layer weights":
      var weights = document["weights"] as! [String: Any]
      weights["z"] = [String: Any]()
      document["weights"] = weights
    case "wrong kind": document["kind"] = "keras"
    case "newer version": document["format_version"] = 2
    case "top-level extra": document["comment"] = "hello"
    default: Issue.record("no mutation named \(name)")
    }
  }

  @Test(arguments: violations)
  func reportsSchemaViolationsWithTheirPath(violation: (String, String, String)) throws {
    var document = try document()
    apply(violation.0, to: &document)
    let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    expectReason(BPKitJSONError.schemaViolation(file: nil, path: violation.1, detail: violation.2)) {
      try Model(jsonData: data)
    }
    // Kept for `make test`, which checks that the schema rejects them too.
    if !Self.beyondSchema.contains(violation.0) {
      JSONOutputs.keep(
        data, kind: "invalid-model", name: violation.0.replacingOccurrences(of: " ", with: "_") + ".json")
    }
  }

  /// Rules that JSON Schema cannot state and only bpkit checks: they need
  /// the whole network (unique names, shapes that follow from the layers).
  static let beyondSchema: Set<String> = [
    "duplicate name", "elman without sequence", "wrong kernel shape", "short data", "float overflow", "bad base64",
    "base64 length", "missing weight", "extra weight", "unknown layer weights", "newer version",
    "bias regularizer without bias",
  ]

  @Test func refusesACheckpointWhereAModelIsExpected() throws {
    let data = try SampleModels.checkpoint(for: SampleModels.model(SampleModels.all[0].1)).jsonData()
    expectReason(BPKitJSONError.wrongDocumentKind(file: nil, expected: "model", actual: "checkpoint")) {
      try Model(jsonData: data)
    }
  }
}
