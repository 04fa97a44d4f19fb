import Foundation
import Testing
import _BPKitTestSupport

@testable import BPKit

@Suite struct TensorJSONTests {
  /// A one-layer model whose kernel holds exactly `values`.
  private func model(holding values: [Float]) -> Model {
    let network = NetworkDescription(
      input: .vector(features: values.count),
      layers: [Layer(name: "d", kind: .dense(units: 1, activation: .linear, useBias: false))])
    return try! Model(
      network: network,
      parameters: [ParameterKey(layer: "d", name: "kernel"): Tensor(shape: [values.count, 1], scalars: values)])
  }

  private func bits(_ model: Model) -> [UInt32] {
    model.parameters[ParameterKey(layer: "d", name: "kernel")]!.scalars.map(\.bitPattern)
  }

  @Test(arguments: BPKitJSON.WeightEncoding.allCases)
  func roundTripsEveryKindOfFloatBitForBit(encoding: BPKitJSON.WeightEncoding) throws {
    var random = TestRandom(seed: 5)
    var values: [Float] = [
      0, -0.0, 1, -1, 0.1, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
      .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 16_777_215, 1e-7, 3.4e38,
    ]
    while values.count < 20_000 {
      let value = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
      if value.isFinite { values.append(value) }
    }
    let original = model(holding: values)
    let data = try original.jsonData(weights: encoding)
    JSONOutputs.keep(data, kind: "model", name: "tensor_bits_\(encoding).json")
    let decoded = try Model(jsonData: data)
    #expect(bits(decoded) == bits(original))
  }

  @Test func writesShortestRoundTripDecimals() throws {
    let text = String(decoding: try model(holding: [0.1, -0.0, .leastNonzeroMagnitude, 3]).jsonData(), as: UTF8.self)
    #expect(text.contains("\"data\": [0.1, -0.0, 1e-45, 3.0]"))
  }

  /// JSON numbers cannot hold NaN or the infinities, so such a tensor is
  /// written in base64; reading it back refuses the weight by name, as the
  /// HDF5 reader does, rather than loading a model that predicts NaN.
  @Test func writesNonFiniteTensorsInBase64AndRefusesThemOnLoad() throws {
    let values: [Float] = [1, .nan, .infinity, -.infinity, Float(bitPattern: 0x7FC0_1234)]
    let data = try model(holding: values).jsonData(weights: .numbers)
    #expect(String(decoding: data, as: UTF8.self).contains("\"encoding\": \"base64\""))
    JSONOutputs.keep(data, kind: "model", name: "tensor_non_finite.json")
    #expect {
      try Model(jsonData: data)
    } throws: { error in
      guard case .schemaViolation(nil, "$.weights.d.kernel", let detail) = reason(of: error) as? BPKitJSONError else {
        return false
      }
      return detail == "element 1 is nan; values must be finite"
    }
  }

  @Test func readsLargeBase64TensorsFromMappedFilesChunkByChunk() throws {
    var random = TestRandom(seed: 8)
    let values = (0..<3_000_000).map { _ in random.unit() }
    let folder = try TemporaryDirectory()
    let path = folder.path("large.json")
    try model(holding: values).writeJSON(toPath: path, weights: .base64, options: FileWriteOptions(synchronize: false))
    #expect(bits(try Model(jsonContentsOf: path)) == values.map(\.bitPattern))

    // A bad character in the third 4 MB piece is reported at its offset in the string.
    var text = try Data(contentsOf: URL(fileURLWithPath: path))
    let start = text.firstRange(of: Data("\"data\": \"".utf8))!.upperBound
    text[start + 9_000_001] = UInt8(ascii: "!")
    try text.write(to: URL(fileURLWithPath: path))
    expectReason(
      BPKitJSONError.schemaViolation(
        file: path, path: "$.weights.d.kernel.data", detail: "not base64: unexpected character at offset 9000001")
    ) { try Model(jsonContentsOf: path) }
  }

  /// A numbers document larger than the stretches the reader lets go of
  /// reads back bit for bit from its mapped file, and a number beyond the
  /// floats deep inside it is named by its index.
  @Test func readsLargeNumberArraysFromMappedFilesStretchByStretch() throws {
    var random = TestRandom(seed: 10)
    // Magnitudes below 2 (bit 30 clear), and one value above, to be found again.
    var values = (0..<1_500_000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: random.next()) & 0xBFFF_FFFF) }
    values[1_400_000] = 12345.678
    let folder = try TemporaryDirectory()
    let path = folder.path("numbers.json")
    try model(holding: values).writeJSON(toPath: path, weights: .numbers, options: FileWriteOptions(synchronize: false))
    #expect(bits(try Model(jsonContentsOf: path)) == values.map(\.bitPattern))

    var text = try String(contentsOfFile: path, encoding: .utf8)
    text = text.replacingOccurrences(of: ", 12345.678, ", with: ", 4e38, ")
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    expectReason(
      BPKitJSONError.schemaViolation(
        file: path, path: "$.weights.d.kernel.data[1400000]",
        detail: "expected a number within the range of a 32-bit float")
    ) { try Model(jsonContentsOf: path) }
  }

  @Test func paddingInsideTheTextIsRefusedNotReadAsTheEndOfAPiece() throws {
    var random = TestRandom(seed: 9)
    let values = (0..<1_200_000).map { _ in random.unit() }
    let folder = try TemporaryDirectory()
    let path = folder.path("padded.json")
    try model(holding: values).writeJSON(toPath: path, weights: .base64, options: FileWriteOptions(synchronize: false))
    // "AA==" as the last group of the first 4 MiB piece: read as that
    // piece's end, it dropped two bytes and loaded a wrong weight, exit 0.
    var text = try Data(contentsOf: URL(fileURLWithPath: path))
    let start = text.firstRange(of: Data("\"data\": \"".utf8))!.upperBound
    let boundary = start + (4 << 20)
    text.replaceSubrange((boundary - 4)..<boundary, with: Data("AA==".utf8))
    try text.write(to: URL(fileURLWithPath: path))
    expectReason(
      BPKitJSONError.schemaViolation(
        file: path, path: "$.weights.d.kernel.data",
        detail: "not base64: unexpected character at offset \((4 << 20) - 2)")
    ) { try Model(jsonContentsOf: path) }
  }

  /// Large tensors' numbers are written, and their base64 decoded, on every
  /// thread the kernels may use: the text is one thread's byte for byte,
  /// whatever the number of threads (pieces of 65,536 numbers, a last round
  /// cut short), it reads back bit for bit on every count, and a number
  /// beyond the floats is named by the same index wherever it lies.
  @Test func writesAndReadsTheSameTextOnEveryThreadCount() throws {
    var random = TestRandom(seed: 12)
    var values: [Float] = [-0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude.nextDown, .greatestFiniteMagnitude]
    while values.count < 300_017 {
      let value = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
      if value.isFinite { values.append(value) }
    }
    let original = model(holding: values)
    let threadCounts = [1, 2, 3, 5]
    for encoding in BPKitJSON.WeightEncoding.allCases {
      let texts = try threadCounts.map { threads in
        try Kernels.with(threads: threads) { try original.jsonData(weights: encoding) }
      }
      for (threads, text) in zip(threadCounts, texts) {
        #expect(text == texts[0], "\(encoding) on \(threads) threads")
        for readers in threadCounts {
          let decoded = try Kernels.with(threads: readers) { try Model(jsonData: text) }
          #expect(bits(decoded) == bits(original), "\(encoding) written on \(threads), read on \(readers) threads")
        }
      }
    }

    let text = String(decoding: try original.jsonData(weights: .numbers), as: UTF8.self)
    let data = text.range(of: "\"data\": [")!.upperBound
    let numbers = text[data...].split(separator: ",", maxSplits: values.count - 1, omittingEmptySubsequences: false)
    for index in [0, 1, 65_535, 65_536, 100_005, 100_006, 150_008, 200_011, 299_999, values.count - 1] {
      // The number's own text (after its space, before the rest of the document) becomes 5e38.
      var damaged = numbers
      let piece = damaged[index]
      let first = piece.firstIndex { $0 != " " }!
      let after = piece[first...].firstIndex { !"-+.0123456789eE".contains($0) } ?? piece.endIndex
      damaged[index] = Substring(String(piece[..<first]) + "5e38" + String(piece[after...]))
      let document = Data((String(text[..<data]) + damaged.joined(separator: ",")).utf8)
      for threads in threadCounts {
        expectReason(
          BPKitJSONError.schemaViolation(
            file: nil, path: "$.weights.d.kernel.data[\(index)]",
            detail: "expected a number within the range of a 32-bit float")
        ) { try Kernels.with(threads: threads) { try Model(jsonData: document) } }
      }
    }
  }

  /// Numbers are read on every thread, a stretch of 65,536 at a time: of
  /// two numbers beyond the floats, the first in the array is named, as
  /// one thread names it, whichever thread meets which first.
  @Test(arguments: [(70_000, 200_000), (65_535, 65_536), (131_071, 300_000), (5, 299_999)])
  func namesTheFirstOfTwoNumbersOutOfRangeOnEveryThreadCount(first: Int, second: Int) throws {
    var random = TestRandom(seed: 13)
    let values = (0..<300_001).map { _ in random.unit() }
    let text = String(decoding: try model(holding: values).jsonData(weights: .numbers), as: UTF8.self)
    let data = text.range(of: "\"data\": [")!.upperBound
    var numbers = text[data...].split(separator: ",", maxSplits: values.count - 1, omittingEmptySubsequences: false)
    for (index, damage) in [(first, "-4e38"), (second, "1e39")] {
      let piece = numbers[index]
      let start = piece.firstIndex { $0 != " " }!
      let after = piece[start...].firstIndex { !"-+.0123456789eE".contains($0) } ?? piece.endIndex
      numbers[index] = Substring(String(piece[..<start]) + damage + String(piece[after...]))
    }
    let document = Data((String(text[..<data]) + numbers.joined(separator: ",")).utf8)
    for threads in [1, 2, 3, 8] {
      expectReason(
        BPKitJSONError.schemaViolation(
          file: nil, path: "$.weights.d.kernel.data[\(first)]",
          detail: "expected a number within the range of a 32-bit float")
      ) { try Kernels.with(threads: threads) { try Model(jsonData: document) } }
    }
  }
}
