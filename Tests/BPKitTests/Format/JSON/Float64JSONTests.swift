import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

#if canImport(Glibc)
  import Glibc
#endif

/// Float64 models in JSON documents (format 1.6): the document's `dtype`
/// member and float64 tensors, bit for bit in both encodings, checkpoints'
/// optimizer slots included.
@Suite struct Float64JSONTests {
  private static let kernel = ParameterKey(layer: "d", name: "kernel")

  /// A one-layer float64 model whose kernel holds exactly `values`.
  private func model(holding values: [Double]) -> Model {
    let network = NetworkDescription(
      input: .vector(features: values.count),
      layers: [Layer(name: "d", kind: .dense(units: 1, activation: .linear, useBias: false))])
    return try! Model(
      network: network, float64Parameters: [Self.kernel: Tensor(shape: [values.count, 1], scalars: values)])
  }

  private func bits(_ model: Model) -> [UInt64] {
    model.float64Parameters?[Self.kernel]?.scalars.map(\.bitPattern) ?? []
  }

  /// Finite doubles from every binade: random bit patterns, plus the edges.
  private func doubles(count: Int, seed: UInt64) -> [Double] {
    var random = TestRandom(seed: seed)
    var values: [Double] = [
      0, -0.0, 1, -1, 0.1, 0.3, 1e23, 9_007_199_254_740_993, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
      .leastNormalMagnitude, .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
      Double(Float.greatestFiniteMagnitude).nextUp, 2.2250738585072011e-308,
    ]
    while values.count < count {
      let value = Double(bitPattern: random.next())
      if value.isFinite { values.append(value) }
    }
    return values
  }

  @Test(arguments: BPKitJSON.WeightEncoding.allCases)
  func roundTripsEveryKindOfDoubleBitForBit(encoding: BPKitJSON.WeightEncoding) throws {
    let original = model(holding: doubles(count: 20_000, seed: 64))
    let data = try original.jsonData(weights: encoding)
    JSONOutputs.keep(data, kind: "model", name: "float64_bits_\(encoding).json")
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"dtype\": \"float64\""))
    #expect(!text.contains("float32"))
    let decoded = try Model(jsonData: data)
    #expect(decoded.dtype == .float64)
    #expect(bits(decoded) == bits(original))
    #expect(decoded == original)
  }

  @Test func writesShortestRoundTripDecimalsAndFloat32DocumentsAsBefore() throws {
    let values: [Double] = [0.1, -0.0, .leastNonzeroMagnitude, 3, .greatestFiniteMagnitude, 1.0000000000000002]
    let text = String(decoding: try model(holding: values).jsonData(), as: UTF8.self)
    #expect(text.contains("\"data\": [0.1, -0.0, 5e-324, 3.0, 1.7976931348623157e+308, 1.0000000000000002]"), "\(text)")
    let narrow = String(decoding: try model(holding: values).converted(to: .float32).jsonData(), as: UTF8.self)
    #expect(!narrow.contains("float64"))
  }

  @Test func writesAFileThatReadsBackFromItsMapping() throws {
    let folder = try TemporaryDirectory()
    let original = model(holding: doubles(count: 300_000, seed: 65))
    for encoding in BPKitJSON.WeightEncoding.allCases {
      let path = folder.path("m-\(encoding).json")
      try original.writeJSON(toPath: path, weights: encoding, options: FileWriteOptions(synchronize: false))
      #expect(bits(try Model(jsonContentsOf: path)) == bits(original), "\(encoding)")
    }
  }

  /// The reader rounds every decimal as `strtod` does, exactly: numbers of 1
  /// to 25 significant digits across the whole exponent range, each within an
  /// array as a document holds them.
  @Test func readsDecimalsExactlyRoundedAsStrtod() throws {
    var random = TestRandom(seed: 66)
    var texts: [String] = ["0", "-0", "0.0", "1e-400", "2.4703282292062328e-324", "2.4703282292062327e-324"]
    texts += ["1.7976931348623158e308", "9007199254740993", "0.30000000000000004", "123456789012345678901234567890"]
    for value in doubles(count: 20_000, seed: 67) {
      texts.append(value.description)
      // A neighbour of a shortest decimal: the last digit moved by one.
      var digits = Array(value.description.utf8)
      if let last = digits.lastIndex(where: { (0x31...0x38).contains($0) }) {
        digits[last] &+= random.next() & 1 == 0 ? 1 : 255
        texts.append(String(decoding: digits, as: UTF8.self))
      }
    }
    while texts.count < 120_000 {
      let length = Int(random.next() % 25) + 1
      var digits = (0..<length).map { _ in String(random.next() % 10) }.joined()
      if digits.count > 1 { digits.insert(".", at: digits.index(digits.startIndex, offsetBy: 1)) }
      let exponent = Int(random.next() % 660) - 340
      texts.append((random.next() & 1 == 0 ? "-" : "") + digits + "e" + String(exponent))
    }
    var mismatches: [String] = []
    for text in texts {
      let expected = text.withCString { strtod($0, nil) }
      var parsed: Double?
      let array = Array((text + ", 1]").utf8)
      array.withUnsafeBufferPointer { buffer in
        var cursor = buffer.baseAddress!
        parsed = Float64Text.parse(&cursor, limit: buffer.baseAddress! + buffer.count)
        if buffer.baseAddress!.distance(to: cursor) != text.utf8.count { mismatches.append("length: \(text)") }
      }
      if expected.isFinite ? parsed?.bitPattern != expected.bitPattern : parsed != nil {
        mismatches.append(text)
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
  }

  @Test func refusesADoubleBeyondTheRangeByItsPath() throws {
    let data = Data(
      String(decoding: try model(holding: [1, 2]).jsonData(), as: UTF8.self)
        .replacingOccurrences(of: "[1.0, 2.0]", with: "[1.0, 2e308]").utf8)
    expectReason(
      BPKitJSONError.schemaViolation(
        file: nil, path: "$.weights.d.kernel.data[1]", detail: "expected a number within the range of a 64-bit float")
    ) { try Model(jsonData: data) }
  }

  /// A document's tensors all have its dtype: a float32 tensor in a float64
  /// document, or a float64 one in a float32 document, is refused by path,
  /// never widened or rounded. The schema says so too.
  @Test func refusesATensorOfAnotherDtypeThanTheDocuments() throws {
    let wide = String(decoding: try model(holding: [1, 2]).jsonData(), as: UTF8.self)
    let cases = [
      (
        "float32_tensor_in_float64_document",
        wide.replacingOccurrences(of: "{\"dtype\": \"float64\", \"shape\"", with: "{\"dtype\": \"float32\", \"shape\""),
        "expected float64"
      ),
      (
        "float64_tensor_in_float32_document", wide.replacingOccurrences(of: "\"dtype\": \"float64\",\n", with: ""),
        "expected float32"
      ),
    ]
    for (name, text, expected) in cases {
      #expect(text != wide, "\(name)")
      let data = Data(text.utf8)
      expectReason(
        BPKitJSONError.schemaViolation(
          file: nil, path: "$.weights.d.kernel.dtype",
          detail: "\(expected), the model's dtype (the document's member \"dtype\", float32 when absent), found "
            + (expected == "expected float64" ? "float32" : "float64"))
      ) { try Model(jsonData: data) }
      JSONOutputs.keep(data, kind: "invalid-model", name: "\(name).json")
    }
    let unknown = Data(
      wide.replacingOccurrences(of: "\"dtype\": \"float64\",\n", with: "\"dtype\": \"float16\",\n").utf8)
    expectReason(
      BPKitJSONError.schemaViolation(
        file: nil, path: "$.dtype", detail: "expected one of float32, float64, found 'float16'")
    ) { try Model(jsonData: unknown) }
    JSONOutputs.keep(unknown, kind: "invalid-model", name: "unknown_dtype.json")
  }

  /// A checkpoint whose weights and optimizer slots are float64, with bits no float32 holds.
  private func float64Checkpoint() throws -> Checkpoint {
    var checkpoint = SampleModels.checkpoint(for: SampleModels.model(SampleModels.all[3].1), optimizer: .adam)
    var random = TestRandom(seed: 68)
    func widened(_ tensor: Tensor<Float>) -> Tensor<Double> {
      Tensor(shape: tensor.shape, scalars: tensor.scalars.map { Double($0) + Double(random.unit()) * 0x1p-40 })
    }
    checkpoint.model = try Model(
      network: checkpoint.model.network, float64Parameters: checkpoint.model.parameters.mapValues(widened))
    checkpoint.optimizer = OptimizerState(
      configuration: checkpoint.optimizer.configuration, iterations: checkpoint.optimizer.iterations,
      float64Slots: checkpoint.optimizer.slots.mapValues { $0.mapValues(widened) })
    return checkpoint
  }

  /// A float64 checkpoint: its weights and every optimizer slot read back
  /// exactly in both encodings.
  @Test(arguments: BPKitJSON.WeightEncoding.allCases)
  func roundTripsAFloat64CheckpointWithItsSlots(encoding: BPKitJSON.WeightEncoding) throws {
    let checkpoint = try float64Checkpoint()
    #expect(Set(checkpoint.optimizer.float64Slots!.keys) == ["momentum", "velocity"])
    let data = try checkpoint.jsonData(weights: encoding)
    JSONOutputs.keep(data, kind: "checkpoint", name: "float64_checkpoint_\(encoding).json")
    let decoded = try Checkpoint(jsonData: data)
    #expect(decoded.model.dtype == .float64)
    #expect(decoded.optimizer.dtype == .float64)
    #expect(decoded.model.float64Parameters == checkpoint.model.float64Parameters)
    #expect(decoded.optimizer.float64Slots == checkpoint.optimizer.float64Slots)
    let slotValues = decoded.optimizer.float64Slots!.values.flatMap(\.values).flatMap(\.scalars)
    #expect(slotValues.contains { Double(Float($0)) != $0 })
    #expect(decoded.optimizer.configuration == checkpoint.optimizer.configuration)
  }

  /// A float32 slot in a float64 checkpoint is refused by its path, as the schema refuses it.
  @Test func refusesASlotOfAnotherDtypeThanTheModel() throws {
    var text = String(decoding: try float64Checkpoint().jsonData(), as: UTF8.self)
    let slots = try #require(text.range(of: "\"slots\""))
    let first = try #require(text.range(of: "\"dtype\": \"float64\"", range: slots.upperBound..<text.endIndex))
    text.replaceSubrange(first, with: "\"dtype\": \"float32\"")
    let mixed = Data(text.utf8)
    expectReason(
      BPKitJSONError.schemaViolation(
        file: nil, path: "$.optimizer.slots.momentum.rnn_a.kernel.dtype",
        detail:
          "expected float64, the model's dtype (the document's member \"dtype\", float32 when absent), found float32")
    ) { try Checkpoint(jsonData: mixed) }
    JSONOutputs.keep(mixed, kind: "invalid-checkpoint", name: "float32_slot_in_float64_checkpoint.json")
  }

  @Test func refusesToWriteSlotsOfAnotherDtypeThanTheModel() throws {
    var checkpoint = SampleModels.checkpoint(for: SampleModels.model(SampleModels.all[3].1), optimizer: .adam)
    checkpoint.model = checkpoint.model.converted(to: .float64)
    expectReason(
      BPKitJSONError.unwritable(
        file: "the JSON checkpoint",
        reason:
          "the optimizer's slots are float32 and the model is float64; convert the state with converted(to: .float64)")
    ) { try checkpoint.jsonData() }
  }
}
