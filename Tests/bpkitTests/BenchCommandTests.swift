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

  @Test func zeroRunsIsAUsageError() throws {
    let result = try BPKitBinary.run("bench", "gemm", "--runs", "0")
    #expect(result.status != 0)
    #expect(result.error.contains("--runs must be at least 1"))
  }
}
