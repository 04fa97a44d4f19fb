import Testing

@testable import BPKit

/// A large batch is cut into blocks of samples that run the whole network on
/// the kernels' threads at once; every sample keeps the bits it has alone.
@Suite struct PredictorRowsTests {
  @Test(arguments: [1, 2, 3], [1, 95, 96, 101, 1024, 5000])
  func blocksCoverTheBatchInWholeTiles(threads: Int, count: Int) throws {
    let plan = try NetworkPlan(network: NetworkDescription(layerSpecification: "784,256:relu,128:relu,10:softmax"))
    let blocks = try Kernels.with(threads: threads) { RowBlocks(plan: plan, count: count, steps: 1) }
    #expect(blocks.samples == count)
    #expect((blocks.count - 1) * blocks.size < count && count <= blocks.count * blocks.size)
    if threads == 1 || count < 2 * RowBlocks.minimumSize {
      #expect(blocks.count == 1 && blocks.size == count)
    } else {
      #expect(blocks.count > 1 && blocks.count <= threads * RowBlocks.perThread)
      #expect(blocks.size % 12 == 0 && blocks.size >= RowBlocks.minimumSize)
      #expect(blocks.threads == threads)
    }
  }

  /// Each sample predicted alone on the portable path, one thread.
  static func oneByOne(_ model: Model, _ x: [Float], shape: [Int]) throws -> [UInt32] {
    let perSample = shape.dropFirst().reduce(1, *)
    return try Kernels.with(path: .portable, threads: 1) {
      try (0..<shape[0]).flatMap { r in
        let sample = Array(x[(r * perSample)..<((r + 1) * perSample)])
        return try model.predict(Tensor(shape: [1] + shape.dropFirst(), scalars: sample)).scalars.map(\.bitPattern)
      }
    }
  }

  @Test(
    arguments: Kernels.supported,
    [
      ("1100,530:relu,40:tanh,10:softmax", [101, 1100]), ("10x3,rnn16:tanh:seq,8:elu,2", [300, 10, 3]),
    ])
  func splitBatchesGiveEachSampleItsOwnBits(path: Kernels.Path, model spec: (String, [Int])) throws {
    let (layers, shape) = spec
    let model = try Model(initializing: NetworkDescription(layerSpecification: layers), seed: 9)
    var random = Xoshiro256StarStar(seed: 10)
    let x = (0..<shape.reduce(1, *)).map { _ in random.nextFloat() * 2 - 1 }
    let expected = try Self.oneByOne(model, x, shape: shape)
    let predictor = try Predictor(model: model)
    let got = try Kernels.with(path: path, threads: 2) { try predictor.predict(x, count: shape[0]) }
    #expect(predictor.blockWorkspaces.count > 1, "the batch ran in blocks")
    #expect(got.map(\.bitPattern) == expected, "\(path), \(layers)")
  }
}
