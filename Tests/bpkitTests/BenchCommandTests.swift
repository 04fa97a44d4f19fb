import Foundation
import Testing
import _BPKitTestSupport

@Suite struct BenchCommandTests {
  @Test func gemmPrintsItsFigureAndTheKernelsInUse() throws {
    let result = try BPKitBinary.run("bench", "gemm", "--runs", "1")
    #expect(result.status == 0, "\(result.error)")
    #expect(result.output.contains("Kernels: "))
    #expect(result.output.contains("gemm 1024^3"))
    #expect(result.output.contains("GFLOP/s"))
  }

  @Test func jsonOutputHasOneObjectPerLine() throws {
    let result = try BPKitBinary.run("bench", "gemm", "--runs", "2", "--json")
    #expect(result.status == 0, "\(result.error)")
    let lines = result.output.split(separator: "\n")
    #expect(lines.count == 2)
    let figure = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
    #expect(figure?["workload"] as? String == "gemm 1024^3")
    #expect(figure?["unit"] as? String == "GFLOP/s")
    #expect(figure?["runs"] as? Int == 2)
    #expect((figure?["median"] as? Double ?? 0) > 0)
  }

  /// Every figure comes also by processor time, which other processes taking
  /// turns on a busy machine's cores do not inflate.
  @Test func figuresComeAlsoByProcessorTime() throws {
    let json = try BPKitBinary.run("bench", "gemm", "--runs", "1", "--json")
    #expect(json.status == 0, "\(json.error)")
    let lines = json.output.split(separator: "\n")
    let figure = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
    #expect((figure?["cpu_median"] as? Double ?? 0) > 0, "\(json.output)")
    let text = try BPKitBinary.run("bench", "gemm", "--runs", "1")
    #expect(text.status == 0, "\(text.error)")
    #expect(text.output.contains("by processor time"), "\(text.output)")
  }

  /// bench convert measures raw write and read in the same run and gives every format's figure as a fraction of them.
  @Test func convertReportsEachFormatBesideRawIO() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      "bench", "convert", "--parameters", "6000", "--runs", "1", "--folder", folder.url.path, "--json")
    #expect(result.status == 0, "\(result.error)")
    let figures = try result.output.split(separator: "\n").dropFirst().map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
    }
    let workloads = figures.compactMap { $0["workload"] as? String }
    #expect(
      workloads == [
        "convert raw write", "convert bpkit ONNX write", "convert bpkit safetensors write", "convert raw read",
        "convert bpkit ONNX read", "convert bpkit safetensors read",
      ])
    for figure in figures where (figure["workload"] as? String)?.contains("bpkit") == true {
      #expect((figure["of_raw"] as? Double ?? 0) > 0, "\(figure)")
      #expect((figure["peak_x_weights"] as? Double) != nil, "\(figure)")
    }
  }

  /// Each checkpoint figure stands beside the raw system calls on the same bytes, as a ratio.
  @Test func checkpointFiguresStandBesideTheRawSystemCalls() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      "bench", "checkpoint", "--parameters", "6000", "--runs", "1", "--folder", folder.url.path)
    #expect(result.status == 0, "\(result.error)")
    for label in [
      "raw write()+fsync(), new file", "bpkit write, new file", "bpkit replace, existing file", "raw read()",
      "bpkit read, every CRC-32 checked",
    ] {
      #expect(result.output.contains(label), "no '\(label)' in \(result.output)")
    }
    #expect(result.output.components(separatedBy: "x raw").count - 1 == 5)
  }

  /// bpkit JSON is read by bpkit and parsed by Foundation's two readers
  /// from the same documents; every peak is a growth, never below zero.
  @Test func convertWithJSONReadsTheSameDocumentsWithFoundation() throws {
    let folder = try TemporaryDirectory()
    let result = try BPKitBinary.run(
      "bench", "convert", "--with-json", "--parameters", "600", "--runs", "2", "--folder", folder.url.path, "--json")
    #expect(result.status == 0, "\(result.error)")
    for encoding in ["base64", "numbers"] {
      for reader in [
        "bpkit JSON \(encoding) write", "bpkit JSON \(encoding) read", "JSONSerialization \(encoding)",
        "JSONDecoder \(encoding)",
      ] {
        #expect(result.output.contains("\"convert \(reader)\""), "no '\(reader)' in \(result.output)")
      }
    }
    let figures = try result.output.split(separator: "\n").dropFirst().map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
    }
    let peaks = figures.compactMap { $0["peak_x_weights"] as? Double }
    #expect(peaks.count == 12, "\(result.output)")
    #expect(peaks.allSatisfy { $0 >= 0 }, "\(result.output)")
  }

  @Test func zeroRunsIsAUsageError() throws {
    let result = try BPKitBinary.run("bench", "gemm", "--runs", "0")
    #expect(result.status != 0)
    #expect(result.error.contains("--runs must be at least 1"))
  }

  /// train-rnn, train-lstm and train-gru are one sequence workload with another layer each, and name their figures.
  @Test(arguments: ["train-lstm", "train-gru"])
  func sequenceWorkloadsNameTheirFigures(workload: String) throws {
    let result = try BPKitBinary.run("bench", workload, "--runs", "1", "--threads", "1", "--json")
    #expect(result.status == 0, "\(result.error)")
    let figure = try result.output.split(separator: "\n").dropFirst().map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
    }.first
    #expect(figure?["workload"] as? String == workload)
    #expect(figure?["unit"] as? String == "seq/s")
    #expect((figure?["median"] as? Double ?? 0) > 0)
  }

  /// train-mlp and infer run in Double with --dtype float64, and say so in their figures' names.
  @Test func float64WorkloadsNameTheirFigures() throws {
    for (workload, names) in [
      ("train-mlp", ["train-mlp float64"]), ("infer", ["infer float64 batch 1", "infer float64 batch 1024"]),
    ] {
      let result = try BPKitBinary.run(
        "bench", workload, "--dtype", "float64", "--runs", "1", "--threads", "1", "--json")
      #expect(result.status == 0, "\(result.error)")
      let figures = try result.output.split(separator: "\n").dropFirst().map {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
      }
      #expect(figures.map { $0["workload"] as? String } == names)
      #expect(figures.allSatisfy { ($0["median"] as? Double ?? 0) > 0 })
    }
  }
}
