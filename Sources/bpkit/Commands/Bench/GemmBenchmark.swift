import ArgumentParser
import BPKit

/// `bpkit bench gemm`: single-precision matrix product at 1024³.
struct GemmBenchmark: BenchmarkWorkload {
  static let configuration = CommandConfiguration(
    commandName: "gemm", abstract: "GFLOP/s of a 1024×1024×1024 Float32 matrix product.")

  @OptionGroup var options: BenchOptions

  func run() throws { try runAlone(options) }

  func measure(_ options: BenchOptions) throws {
    let n = 1024
    var random = Xoshiro256StarStar(seed: 1)
    let a = (0..<(n * n)).map { _ in random.nextFloat() }
    let b = (0..<(n * n)).map { _ in random.nextFloat() }
    var c = [Float](repeating: 0, count: n * n)
    let threads = BenchReport.useThreads(options, automatic: 2)
    let repeats = 10
    var timings: [(wall: Double, cpu: Double)] = []
    c.withUnsafeMutableBufferPointer { c in
      func product() {
        Float.gemm(
          transposeA: false, transposeB: false, m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, accumulate: false,
          c: c.baseAddress!, ldc: n)
      }
      product()
      product()
      for _ in 0..<options.runs {
        timings.append(BenchReport.times { for _ in 0..<repeats { product() } })
      }
    }
    BenchReport.figure("gemm 1024^3", timings, unit: "GFLOP/s", threads: threads, options: options) {
      2 * Double(n * n * n) * Double(repeats) / $0 / 1e9
    }
  }
}
