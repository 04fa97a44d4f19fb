extension TrainingEngine {
  /// Trains on one batch given as arrays; see ``step(inputs:targets:count:)-(_,Targets<Scalar>,_)``.
  public func step(inputs: [Scalar], targets: [Scalar], count: Int) throws(BPKitError) -> BatchMetrics {
    do {
      return try inputs.withUnsafeBufferPointer { x in
        try targets.withUnsafeBufferPointer { t in try step(inputs: x, targets: .values(t), count: count) }
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Trains on one batch with class labels; see ``step(inputs:targets:count:)-(_,Targets<Scalar>,_)``.
  public func step(inputs: [Scalar], labels: [Int], count: Int) throws(BPKitError) -> BatchMetrics {
    do {
      return try inputs.withUnsafeBufferPointer { x in
        try labels.withUnsafeBufferPointer { t in try step(inputs: x, targets: .labels(t), count: count) }
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Accumulates the gradients of one batch given as arrays; see ``accumulate(inputs:targets:count:)-(_,Targets<Scalar>,_)``.
  public func accumulate(inputs: [Scalar], targets: [Scalar], count: Int) throws(BPKitError) -> BatchMetrics {
    do {
      return try inputs.withUnsafeBufferPointer { x in
        try targets.withUnsafeBufferPointer { t in try accumulate(inputs: x, targets: .values(t), count: count) }
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Accumulates the gradients of one batch with class labels; see ``accumulate(inputs:targets:count:)-(_,Targets<Scalar>,_)``.
  public func accumulate(inputs: [Scalar], labels: [Int], count: Int) throws(BPKitError) -> BatchMetrics {
    do {
      return try inputs.withUnsafeBufferPointer { x in
        try labels.withUnsafeBufferPointer { t in try accumulate(inputs: x, targets: .labels(t), count: count) }
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Evaluates arrays; see ``evaluate(inputs:targets:count:batchSize:)``.
  public func evaluate(inputs: [Scalar], targets: [Scalar], count: Int) throws(BPKitError) -> BatchMetrics {
    do {
      return try inputs.withUnsafeBufferPointer { x in
        try targets.withUnsafeBufferPointer { t in try evaluate(inputs: x, targets: .values(t), count: count) }
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// Evaluates arrays with class labels; see ``evaluate(inputs:targets:count:batchSize:)``.
  public func evaluate(inputs: [Scalar], labels: [Int], count: Int) throws(BPKitError) -> BatchMetrics {
    do {
      return try inputs.withUnsafeBufferPointer { x in
        try labels.withUnsafeBufferPointer { t in try evaluate(inputs: x, targets: .labels(t), count: count) }
      }

    } catch {
      throw BPKitError(error)
    }
  }
}
