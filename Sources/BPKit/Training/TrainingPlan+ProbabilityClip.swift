extension TrainingPlan {
  /// What a `--model` file says of Keras' probability clip (see ``ProbabilityClip``).
  enum FileProbabilityClip {
    /// The file records it: a bpkit checkpoint's ε, or the rule of the
    /// backend a legacy Keras `.h5` names (`nil` for none).
    case recorded(Double?)
    /// The file does not record it: a `.keras` archive, or a legacy `.h5` of
    /// a backend bpkit does not know (`backend` names it, or `nil`).
    case unrecorded(backend: String?)
  }

  /// The clip a new run trains with: the one `--clip-probabilities` gives,
  /// else the `--model` file's when the run keeps its loss, else none. A
  /// Keras file that does not record its backend is read as TensorFlow's
  /// (Keras' default backend: no clip), with a note naming the flag.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` when the flag is given
  ///   for a loss that reads no probabilities.
  static func probabilityClip(
    given: ProbabilityClip?, loss: Loss, file: (path: String, clip: FileProbabilityClip, loss: Loss?)?,
    warnings: inout [String]
  ) throws(TrainingError) -> Double? {
    if let given {
      try refuseMeaninglessClip(loss: loss)
      return given.value
    }
    guard let file, file.loss == loss, ProbabilityClip.applies(to: loss) else { return nil }
    switch file.clip {
    case .recorded(let epsilon):
      return epsilon
    case .unrecorded(let backend):
      warnings.append(
        "\(file.path) does not record "
          + (backend.map { "a Keras backend bpkit knows (it names '\($0)')" } ?? "the Keras backend that trained it")
          + "; its \(loss.rawValue) is computed as on TensorFlow, Keras' default backend, from the logits without "
          + "clipping probabilities. The JAX, PyTorch and NumPy backends clip them to [1e-7, 1 − 1e-7]: give "
          + "--clip-probabilities keras to train as they do")
      return nil
    }
  }

  /// Refuses `--clip-probabilities` for a loss that reads no probabilities.
  static func refuseMeaninglessClip(loss: Loss) throws(TrainingError) {
    guard !ProbabilityClip.applies(to: loss) else { return }
    throw .invalidSetting(
      "--clip-probabilities: loss \(loss.rawValue) reads no probabilities to clip (Keras clips only the "
        + "categorical, sparse and binary cross-entropies on probabilities, not from logits); drop "
        + "--clip-probabilities")
  }

  /// Refuses a `--clip-probabilities` on resume other than the run's own.
  static func refuseProbabilityClipChange(_ given: ProbabilityClip?, stored: Double?, loss: Loss)
    throws(TrainingError)
  {
    guard let given else { return }
    try refuseMeaninglessClip(loss: loss)
    guard given.value != stored else { return }
    throw .invalidSetting(
      "the run's probability clip is \(ProbabilityClip.summary(stored)), fixed when it started and kept in its "
        + "checkpoint; it cannot change on resume. Drop --clip-probabilities")
  }
}
