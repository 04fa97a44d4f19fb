extension Predictor {
  /// Runs `count` samples of a float64 model in Double and writes the
  /// outputs, row-major, to `output`.
  ///
  /// - Parameters:
  ///   - inputs: [count, features] or [count, steps, features], row-major.
  ///   - count: The number of samples.
  ///   - output: Room for ``outputCount(inputCount:count:)`` numbers.
  /// - Throws: ``BPKitError`` when the sizes do not fit, or when the model is
  ///   float32 (it predicts from and into `Float` buffers).
  @_disfavoredOverload
  public func predict(
    _ inputs: UnsafeBufferPointer<Double>, count: Int, into output: UnsafeMutableBufferPointer<Double>
  ) throws(BPKitError) {
    do {
      guard let parameters = float64Parameters else {
        throw EngineError.dtypeMismatch(model: dtype, engine: .float64)
      }
      let steps = try plan.network.input.batchSteps(inputs: inputs.count, count: count)
      let outputWidth = (plan.outputIsSequence ? steps : 1) * plan.outputWidth
      guard output.count >= count * outputWidth else {
        throw EngineError.targetSizeMismatch(expected: count * outputWidth, actual: output.count)
      }
      // One block: a sample's outputs do not depend on the block it runs in
      // (see `RowBlocks`), and the products split over threads themselves.
      let ws = float64Workspace
      ws.prepare(plan: plan, batch: count, steps: steps, training: false)
      plan.forward(parameters: parameters.pointer, input: inputs.baseAddress!, workspace: ws, training: false)
      output.baseAddress!.update(from: plan.output(of: plan.steps.count - 1, in: ws), count: count * outputWidth)

    } catch {
      throw BPKitError(error)
    }
  }

  /// Runs `count` samples of a float64 model given as an array and returns their outputs.
  @_disfavoredOverload  // Literal arrays stay Float, as before float64 models.
  public func predict(_ inputs: [Double], count: Int) throws(BPKitError) -> [Double] {
    do {
      let needed = try outputCount(inputCount: inputs.count, count: count)
      var output = [Double](repeating: 0, count: needed)
      try inputs.withUnsafeBufferPointer { x in
        try output.withUnsafeMutableBufferPointer { try predict(x, count: count, into: $0) }
      }
      return output

    } catch {
      throw BPKitError(error)
    }
  }
}
