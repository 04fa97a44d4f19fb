/// Targets for one batch, as the loss kernels read them.
enum TargetBuffer<S: BLASScalar> {
  /// One value per output number (one-hot rows for cross-entropy).
  case values(UnsafePointer<S>)
  /// One class index per output row (cross-entropy only).
  case labels(UnsafePointer<Int>)
}

/// What a loss made of one batch: the sum of its per-row losses and, for
/// classifiers, how many predictions were right out of how many judged.
struct LossTotals {
  var sum: Double = 0
  var correct = 0
  var judged = 0
}

extension Loss {
  /// Computes the loss of `rows` output rows and, when `gradient` is given,
  /// its gradient for the mean over rows, which Keras calls
  /// `sum_over_batch_size` (rows are batch·steps for sequence outputs).
  ///
  /// - Mean squared error: ℓ = mean_j (y_j − t_j)²; writes ∂L/∂y = 2(y − t)/(rows·width).
  /// - Categorical cross-entropy with softmax, from the logits z so that no
  ///   logarithm of a rounded-to-zero probability is taken:
  ///   ℓ = Σ_j t_j (lse(z) − z_j) with lse(z) = max z + log Σ_j e^{z_j − max z};
  ///   writes ∂L/∂z = (y·Σ_j t_j − t)/rows, which is (y − t)/rows for one-hot t.
  /// - Mean absolute error: ℓ = mean_j |y_j − t_j|; writes sign(y − t)/(rows·width).
  /// - Huber (δ = 1): ℓ = mean_j h(y_j − t_j); writes clamp(y − t, −δ, δ)/(rows·width).
  /// - Binary cross-entropy with sigmoid, from the logits:
  ///   ℓ = mean_j max(z_j, 0) − z_j t_j + log(1 + e^{−|z_j|});
  ///   writes ∂L/∂z = (y − t)/(rows·width).
  /// - The `from_logits` forms take a linear output layer's values as the
  ///   logits z (there `y = z`) and compute the same ℓ. Their gradient needs
  ///   the probabilities the output layer does not compute: p = softmax(z),
  ///   exactly as the softmax activation computes it
  ///   (`softmaxRow`), or p = σ(z) (`logistic`); so a network
  ///   trained from logits moves bit for bit as the same network with a
  ///   softmax or sigmoid output trained on the fused loss. Their predicted
  ///   class is the largest logit, or 1 when a binary logit is above 0
  ///   (σ(z) > ½).
  ///
  /// For a batch split across ranks, `meanRows` is the whole batch's number
  /// of rows (the gradient is of the whole batch's mean), and each row's loss
  /// is also written to `rowLosses`, for the ranks to sum in one order.
  ///
  /// With `weights` (one per row: class or sample weights), row r's loss is
  /// w_r·ℓ_r and its gradient is scaled by w_r; the mean still divides by the
  /// number of rows, not by Σ w, as Keras 3's `sum_over_batch_size` reduction
  /// does (`keras/src/losses/loss.py`, `reduce_values`). Accuracy counts stay
  /// unweighted, as Keras' `metrics=` are. Without weights every w_r is 1,
  /// and the figures are bitwise those of the unweighted loss.
  ///
  /// With `probabilityClip` ε (cross-entropies on probabilities only, not
  /// the `from_logits` forms), the probabilities are clipped to [ε, 1 − ε]
  /// before the logarithm, as Keras 3's JAX, PyTorch and NumPy backends do
  /// (`keras/src/backend/jax/nn.py`, `categorical_crossentropy`,
  /// `sparse_categorical_crossentropy`, `binary_crossentropy`, with ε =
  /// `keras.config.epsilon()`), and no gradient flows through a clipped
  /// probability: categorical ∂L/∂z = y·T − t⊙k with k_j = 1 where
  /// ε ≤ y_j ≤ 1 − ε (else 0) and T = Σ_j t_j k_j; binary ∂L/∂z = (y − t)
  /// where ε ≤ y ≤ 1 − ε, else 0; a clipped term's loss is −t log(bound)
  /// (−(1 − t) log(1 − bound) for binary). A row with nothing clipped is
  /// computed by exactly the unclipped arithmetic, so its figures are bitwise
  /// those without the clip.
  func evaluate<S: BLASScalar>(
    y: UnsafePointer<S>, z: UnsafePointer<S>, zStride: Int, rows: Int, width: Int, targets: TargetBuffer<S>,
    gradient: UnsafeMutablePointer<S>?, meanRows: Int? = nil, rowLosses: UnsafeMutablePointer<Double>? = nil,
    weights: UnsafePointer<S>? = nil, probabilityClip: Double? = nil
  ) -> LossTotals {
    precondition(
      probabilityClip == nil || (!fromLogits && requiredActivation != nil),
      "the probability clip applies to cross-entropies on probabilities only")
    // The clip bounds in S, as Keras' Python floats become the tensor's dtype.
    let low = probabilityClip.map { S($0) }
    let high = probabilityClip.map { S(1 - $0) }
    @inline(__always) func clipped(_ p: S) -> Bool {
      guard let low, let high else { return false }
      return !(p >= low && p <= high)
    }
    /// The bound a clipped probability `p` is moved to: ε below, 1 − ε above.
    @inline(__always) func bound(_ p: S) -> S { (p < 0.5 ? low : high) ?? 0 }
    var totals = LossTotals()
    let meanRows = meanRows ?? rows
    switch self {
    case .meanSquaredError:
      guard case .values(let t) = targets else { preconditionFailure("labels need cross-entropy") }
      let scale = 2 / S(meanRows * width)
      for r in 0..<rows {
        let w = weights?[r] ?? 1
        let rowScale = w * scale
        var rowSum: S = 0
        for j in 0..<width {
          let k = r * width + j
          let d = y[k] - t[k]
          rowSum += d * d
          gradient?[k] = rowScale * d
        }
        let rowLoss = Double(w) * (Double(rowSum) / Double(width))
        totals.sum += rowLoss
        rowLosses?[r] = rowLoss
      }
    case .categoricalCrossEntropy, .categoricalCrossEntropyFromLogits, .sparseCategoricalCrossEntropy,
      .sparseCategoricalCrossEntropyFromLogits:
      let scale = 1 / S(meanRows)
      let fromLogits = self.fromLogits
      for r in 0..<rows {
        let w = weights?[r] ?? 1
        let rowScale = w * scale
        let zr = z + r * zStride
        let yr = y + r * width
        var maximum = zr[0]
        var best = 0
        for j in 1..<max(width, 1) where zr[j] > maximum {
          maximum = zr[j]
          best = j
        }
        var sum: S = 0
        for j in 0..<width { sum += S.exp(zr[j] - maximum) }
        let lse = maximum + S.log(sum)
        // p = softmax(z): the output layer's own values, or (from logits) softmaxRow's formula.
        let inverse = 1 / sum
        @inline(__always) func p(_ j: Int) -> S { fromLogits ? S.exp(zr[j] - maximum) * inverse : yr[j] }
        switch targets {
        case .labels(let labels):
          let label = labels[r]
          // Only the label's probability enters the loss: clipped, it adds −log(bound) and no gradient.
          let cut = clipped(yr[label])
          let rowLoss = Double(w) * (cut ? -Double(S.log(bound(yr[label]))) : Double(lse - zr[label]))
          totals.sum += rowLoss
          rowLosses?[r] = rowLoss
          if best == label { totals.correct += 1 }
          if let gradient {
            if cut {
              for j in 0..<width { gradient[r * width + j] = 0 }
            } else {
              for j in 0..<width { gradient[r * width + j] = rowScale * (j == label ? p(j) - 1 : p(j)) }
            }
          }
        case .values(let t):
          let tr = t + r * width
          var loss: S = 0
          var mass: S = 0
          var expected = 0
          var anyClipped = false
          for j in 0..<width {
            if clipped(yr[j]) {
              // ℓ term −t_j log(bound), and t_j leaves T (mass) and the gradient.
              anyClipped = true
              loss += tr[j] * -S.log(bound(yr[j]))
            } else {
              loss += tr[j] * (lse - zr[j])
              mass += tr[j]
            }
            if tr[j] > tr[expected] { expected = j }
          }
          let rowLoss = Double(w) * Double(loss)
          totals.sum += rowLoss
          rowLosses?[r] = rowLoss
          if best == expected { totals.correct += 1 }
          if let gradient {
            if anyClipped {
              // ∂L/∂z_j = y_j·T − t_j·k_j.
              for j in 0..<width {
                gradient[r * width + j] = rowScale * (p(j) * mass - (clipped(yr[j]) ? 0 : tr[j]))
              }
            } else {
              for j in 0..<width { gradient[r * width + j] = rowScale * (p(j) * mass - tr[j]) }
            }
          }
        }
        totals.judged += 1
      }
    case .meanAbsoluteError:
      // ℓ = mean_j |y_j − t_j|; ∂L/∂y = sign(y − t)/(rows·width), 0 where y = t as Keras' gradient of abs.
      guard case .values(let t) = targets else { preconditionFailure("labels need cross-entropy") }
      let scale = 1 / S(meanRows * width)
      for r in 0..<rows {
        let w = weights?[r] ?? 1
        let rowScale = w * scale
        var rowSum: S = 0
        for j in 0..<width {
          let k = r * width + j
          let d = y[k] - t[k]
          rowSum += abs(d)
          gradient?[k] = d > 0 ? rowScale : d < 0 ? -rowScale : 0
        }
        let rowLoss = Double(w) * (Double(rowSum) / Double(width))
        totals.sum += rowLoss
        rowLosses?[r] = rowLoss
      }
    case .huber:
      // ℓ = mean_j h(e_j), e = y − t, h(e) = ½e² for |e| ≤ δ, δ·|e| − ½δ² beyond, as
      // keras.losses.huber computes it; ∂L/∂y = clamp(e, −δ, δ)/(rows·width).
      guard case .values(let t) = targets else { preconditionFailure("labels need cross-entropy") }
      let scale = 1 / S(meanRows * width)
      let delta = S(Loss.huberDelta)
      for r in 0..<rows {
        let w = weights?[r] ?? 1
        let rowScale = w * scale
        var rowSum: S = 0
        for j in 0..<width {
          let k = r * width + j
          let e = y[k] - t[k]
          let a = abs(e)
          rowSum += a <= delta ? e * e / 2 : delta * a - delta * delta / 2
          gradient?[k] = rowScale * Swift.min(Swift.max(e, -delta), delta)
        }
        let rowLoss = Double(w) * (Double(rowSum) / Double(width))
        totals.sum += rowLoss
        rowLosses?[r] = rowLoss
      }
    case .binaryCrossEntropy, .binaryCrossEntropyFromLogits:
      guard case .values(let t) = targets else { preconditionFailure("labels need cross-entropy") }
      let scale = 1 / S(meanRows * width)
      let fromLogits = self.fromLogits
      for r in 0..<rows {
        let w = weights?[r] ?? 1
        let rowScale = w * scale
        var rowSum: S = 0
        for j in 0..<width {
          let k = r * width + j
          let zk = z[r * zStride + j]
          // p = σ(z): the sigmoid output's own value, or (from logits) logistic's, as the activation computes it.
          let p = fromLogits ? logistic(zk) : y[k]
          if (fromLogits ? zk > 0 : y[k] > 0.5) == (t[k] > 0.5) { totals.correct += 1 }
          if !fromLogits && clipped(p) {
            // ℓ = −(t log o + (1 − t) log(1 − o)) at the bound o; no gradient through the clip.
            let o = bound(p)
            rowSum += -(t[k] * S.log(o) + (1 - t[k]) * S.log(1 - o))
            gradient?[k] = 0
          } else {
            rowSum += max(zk, 0) - zk * t[k] + S.log1p(S.exp(-abs(zk)))
            gradient?[k] = rowScale * (p - t[k])
          }
        }
        let rowLoss = Double(w) * (Double(rowSum) / Double(width))
        totals.sum += rowLoss
        rowLosses?[r] = rowLoss
        totals.judged += width
      }
    }
    return totals
  }

  /// The output activation this loss is fused with (linear for the
  /// `from_logits` forms, whose outputs are the logits), or `nil` when any works.
  var requiredActivation: Activation? {
    switch self {
    case .meanSquaredError, .meanAbsoluteError, .huber: nil
    case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy: .softmax
    case .binaryCrossEntropy: .sigmoid
    case .categoricalCrossEntropyFromLogits, .binaryCrossEntropyFromLogits, .sparseCategoricalCrossEntropyFromLogits:
      .linear
    }
  }
}
