extension Tensor where Scalar == Float {
  /// The tensor with each element rounded to the nearest Float (ties to even).
  public init(rounding tensor: Tensor<Double>) {
    self.init(shape: tensor.shape, scalars: tensor.scalars.map { Float($0) })
  }
}

extension Tensor where Scalar == Double {
  /// The tensor with each element widened to Double, exactly.
  public init(widening tensor: Tensor<Float>) {
    self.init(shape: tensor.shape, scalars: tensor.scalars.map { Double($0) })
  }
}

extension Model {
  /// The model in another precision.
  ///
  /// Widening a float32 model to float64 is exact; narrowing a float64 model
  /// to float32 rounds each weight to the nearest Float (ties to even), which
  /// the caller asks for explicitly (`bpkit convert --dtype float32` says so
  /// in a note). The names and the network are kept.
  public func converted(to dtype: DType) -> Model {
    guard dtype != self.dtype else { return self }
    // The weights were validated for this network, so the model is valid by construction.
    var model =
      switch dtype {
      case .float64:
        try! Model(network: network, float64Parameters: parameters.mapValues(Tensor<Double>.init(widening:)))
      case .float32:
        try! Model(network: network, parameters: parameters)
      }
    model.names = names
    return model
  }

  /// The weights in Float64: a float64 model's own, a float32 model's widened exactly.
  var widenedParameters: [ParameterKey: Tensor<Double>] {
    float64Parameters ?? parameters.mapValues(Tensor<Double>.init(widening:))
  }

  /// Copies the weight `key` into `destination` in the engine's precision `S`.
  ///
  /// - Precondition: the model's ``dtype`` is `S`'s, or the model is float32
  ///   and `S` is `Double` (exact widening, as gradient checks use).
  func copyParameter<S: BLASScalar>(_ key: ParameterKey, into destination: UnsafeMutablePointer<S>) {
    if let exact = float64Parameters?[key] {
      precondition(S.self == Double.self, "a float64 model's weights are copied in Double only")
      exact.scalars.withUnsafeBufferPointer {
        UnsafeMutableRawPointer(destination).assumingMemoryBound(to: Double.self)
          .update(from: $0.baseAddress!, count: $0.count)
      }
      return
    }
    let tensor = parameters[key]!
    if S.self == Float.self {
      tensor.scalars.withUnsafeBufferPointer {
        UnsafeMutableRawPointer(destination).assumingMemoryBound(to: Float.self)
          .update(from: $0.baseAddress!, count: $0.count)
      }
    } else {
      for (k, value) in tensor.scalars.enumerated() { destination[k] = S(value) }
    }
  }
}

extension OptimizerState {
  /// One slot tensor in Float64: a float64 state's own, a float32 state's widened exactly.
  func widenedSlot(_ slot: String, _ key: ParameterKey) -> Tensor<Double>? {
    float64Slots?[slot]?[key] ?? slots[slot]?[key].map(Tensor<Double>.init(widening:))
  }
}
