import BPKit
import Foundation

/// The JSON rows of `bpkit bench convert`: bpkit JSON written and read by
/// bpkit, and the same documents parsed by Foundation's `JSONSerialization`
/// and `JSONDecoder`, so that bpkit's own JSON reader is judged beside the
/// one every Swift program already has.
///
/// bpkit's figure is the whole read: parsing, every schema rule checked,
/// base64 or numbers decoded into the model's tensors. Foundation's figures
/// are parsing alone, into `Any` trees (`JSONSerialization`) and into a
/// generic `Decodable` tree (`JSONDecoder`), checking nothing.
enum JSONReaderBenchmark {
  /// Any JSON value, as `JSONDecoder` decodes a document it has no model type for.
  enum Tree: Decodable {
    case null, bool(Bool), number(Double), string(String), array([Tree]), object([String: Tree])

    init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if container.decodeNil() {
        self = .null
      } else if let value = try? container.decode(Bool.self) {
        self = .bool(value)
      } else if let value = try? container.decode(Double.self) {
        self = .number(value)
      } else if let value = try? container.decode(String.self) {
        self = .string(value)
      } else if let value = try? container.decode([Tree].self) {
        self = .array(value)
      } else {
        self = .object(try container.decode([String: Tree].self))
      }
    }
  }

  /// One figure: wall-clock and processor seconds per run and peak memory over the weights' size
  /// (for reads, the growth of the peak resident size while reading: memory
  /// an earlier reader freed but the allocator kept is not counted again).
  struct Figure {
    var name: String
    var times: [(wall: Double, cpu: Double)]
    var peaks: [Double]
  }

  /// Writes `model` as bpkit JSON with each weight encoding at `folder` and
  /// reads each document back with bpkit and with Foundation, `runs` times.
  /// A write's peak memory is counted from `baseline`, the process' resident
  /// size before the model was built, as the other formats' writes are.
  static func measure(_ model: Model, bytes: Int, baseline: Int, folder: URL, runs: Int) throws -> [Figure] {
    var figures: [Figure] = []
    for encoding in [BPKitJSON.WeightEncoding.base64, .numbers] {
      let path = folder.appendingPathComponent("bench-\(encoding.rawValue).json").path
      var write = Figure(name: "bpkit JSON \(encoding.rawValue) write", times: [], peaks: [])
      for _ in 0..<runs {
        sync()
        MemoryUsage.resetPeak()
        write.times.append(
          try BenchReport.times {
            try model.writeJSON(toPath: path, weights: encoding, options: .init(synchronize: false))
          })
        write.peaks.append(Double(MemoryUsage.peakResidentBytes() - baseline) / Double(bytes))
      }
      figures.append(write)
      let readers: [(String, () throws -> Void)] = [
        ("bpkit JSON \(encoding.rawValue) read", { _ = try Model(jsonContentsOf: path) }),
        (
          "JSONSerialization \(encoding.rawValue)",
          { _ = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) }
        ),
        (
          "JSONDecoder \(encoding.rawValue)",
          { _ = try JSONDecoder().decode(Tree.self, from: try Data(contentsOf: URL(fileURLWithPath: path))) }
        ),
      ]
      for (name, read) in readers {
        var figure = Figure(name: name, times: [], peaks: [])
        for _ in 0..<runs {
          let growth = try MemoryUsage.peakGrowth { figure.times.append(try BenchReport.times { try read() }) }
          figure.peaks.append(Double(growth) / Double(bytes))
        }
        figures.append(figure)
      }
      unlink(path)
    }
    return figures
  }
}
