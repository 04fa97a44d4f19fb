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

  @Test func zeroRunsIsAUsageError() throws {
    let result = try BPKitBinary.run("bench", "gemm", "--runs", "0")
    #expect(result.status != 0)
    #expect(result.error.contains("--runs must be at least 1"))
  }
}
