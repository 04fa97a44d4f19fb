/// A trainable weight tensor with a regularizer, where it lies in the
/// engine's flat parameter array.
struct RegularizedTensor: Sendable {
  var offset: Int
  var count: Int
  var l1: Double
  var l2: Double

  /// The regularized tensors of `network`: trainable weights only, as Keras 3
  /// takes its penalties from `trainable_weights` (`Layer._get_regularization_losses`).
  static func find(in network: NetworkDescription, layout: ParameterLayout) -> [RegularizedTensor] {
    let layers = Dictionary(uniqueKeysWithValues: network.layers.map { ($0.name, $0) })
    return layout.trainableEntries.compactMap { entry in
      guard let layer = layers[entry.spec.key.layer],
        let regularizer = layer.regularizers.regularizer(ofWeight: entry.spec.key.name), !regularizer.isZero
      else { return nil }
      return RegularizedTensor(offset: entry.offset, count: entry.count, l1: regularizer.l1, l2: regularizer.l2)
    }
  }
}

extension TrainingEngine {
  /// The weights' penalty Σ (l1·Σ|w| + l2·Σw²) over the regularized trainable
  /// tensors (Keras 3's `L1L2.__call__`), at the current weights; 0 without regularizers.
  public var regularizationPenalty: Double {
    var penalty = 0.0
    let w = parameters.pointer
    for tensor in regularized {
      var absolute = 0.0
      var squares = 0.0
      for i in tensor.offset..<(tensor.offset + tensor.count) {
        let value = Double(w[i])
        absolute += abs(value)
        squares += value * value
      }
      penalty += tensor.l1 * absolute + tensor.l2 * squares
    }
    return penalty
  }

  /// Adds the penalty to a batch's mean loss and its gradient to ``gradientBuffer``:
  /// once per update, after the data gradient is complete (on every rank, after
  /// the ranks' chain), so that split batches stay bitwise one process's.
  ///
  /// ∂/∂w (l1·|w| + l2·w²) = l1·sign(w) + 2·l2·w, with sign(0) = 0 as in
  /// TensorFlow and PyTorch (JAX takes 1).
  func regularize(_ metrics: BatchMetrics) -> BatchMetrics {
    guard !regularized.isEmpty else { return metrics }
    var metrics = metrics
    metrics.loss += regularizationPenalty
    let w = parameters.pointer
    let g = gradientBuffer.pointer
    for tensor in regularized {
      let l1 = Scalar(tensor.l1)
      let twiceL2 = Scalar(2 * tensor.l2)
      for i in tensor.offset..<(tensor.offset + tensor.count) {
        let value = w[i]
        let sign: Scalar = value > 0 ? 1 : value < 0 ? -1 : 0
        g[i] += l1 * sign + twiceL2 * value
      }
    }
    return metrics
  }
}
