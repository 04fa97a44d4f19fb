extension Model {
  /// Runs the model on a batch and returns its outputs.
  ///
  /// Safe to call from many threads at once on the same model: each call
  /// works on its own buffers. For many small calls from one thread, a
  /// ``Predictor`` is faster, as it keeps its buffers.
  ///
  /// - Parameter inputs: [batch, features] for vector inputs,
  ///   [batch, steps, features] for sequences.
  /// - Returns: [batch, units], or [batch, steps, units] when the network
  ///   returns sequences.
  /// - Throws: ``BPKitError/Code/doesNotFit`` when the
  ///   shape does not fit, ``BPKitError`` when `BPKIT_KERNELS` names no path
  ///   this CPU runs, or when the model is float64 (give it a `Tensor<Double>`).
  public func predict(_ inputs: Tensor<Float>) throws(BPKitError) -> Tensor<Float> {
    try predicted(inputs)
  }

  /// Runs a float64 model on a batch in Double and returns its outputs; see
  /// `predict(_:)` of a `Tensor<Float>`.
  ///
  /// - Throws: as `predict(_:)` of a `Tensor<Float>` does, and when the model is
  ///   float32 (give it a `Tensor<Float>`).
  @_disfavoredOverload  // Literal tensors stay Float, as before float64 models.
  public func predict(_ inputs: Tensor<Double>) throws(BPKitError) -> Tensor<Double> {
    try predicted(inputs)
  }

  private func predicted<S: BLASScalar>(_ inputs: Tensor<S>) throws(BPKitError) -> Tensor<S> {
    do {
      guard dtype == DType.of(S.self) else { throw EngineError.dtypeMismatch(model: dtype, engine: DType.of(S.self)) }
      let shape = inputs.shape
      let batch: Int
      var steps = 1
      switch network.input {
      case .vector(let features):
        guard shape.count == 2, shape[1] == features else {
          throw EngineError.inputShapeMismatch(expected: "[batch, \(features)]", actual: shape)
        }
        batch = shape[0]
      case .sequence(let fixed, let features):
        guard shape.count == 3, shape[2] == features, fixed == nil || shape[1] == fixed!, shape[1] > 0 else {
          throw EngineError.inputShapeMismatch(
            expected: "[batch, \(fixed.map(String.init) ?? "steps"), \(features)]", actual: shape)
        }
        batch = shape[0]
        steps = shape[1]
      }
      guard batch > 0 else { throw EngineError.emptyBatch }
      let predictor = try Predictor(model: self)
      let perSample = inputs.count / batch
      let outputPerSample = try predictor.outputCount(inputCount: perSample, count: 1)
      var output = [S](repeating: 0, count: batch * outputPerSample)
      // Chunks bound the scratch memory for very large batches.
      let chunk = 1024
      try inputs.scalars.withUnsafeBufferPointer { x in
        try output.withUnsafeMutableBufferPointer { y in
          var start = 0
          while start < batch {
            let n = min(chunk, batch - start)
            let chunkInputs = UnsafeRawBufferPointer(
              UnsafeBufferPointer(rebasing: x[(start * perSample)..<((start + n) * perSample)]))
            let chunkOutputs = UnsafeMutableRawBufferPointer(
              UnsafeMutableBufferPointer(rebasing: y[(start * outputPerSample)..<((start + n) * outputPerSample)]))
            if S.self == Double.self {
              try predictor.predict(
                chunkInputs.assumingMemoryBound(to: Double.self), count: n,
                into: chunkOutputs.assumingMemoryBound(to: Double.self))
            } else {
              try predictor.predict(
                chunkInputs.assumingMemoryBound(to: Float.self), count: n,
                into: chunkOutputs.assumingMemoryBound(to: Float.self))
            }
            start += n
          }
        }
      }
      let outputShape =
        predictor.outputIsSequence ? [batch, steps, predictor.outputWidth] : [batch, predictor.outputWidth]
      return Tensor(shape: outputShape, scalars: output)

    } catch {
      throw BPKitError(error)
    }
  }
}
