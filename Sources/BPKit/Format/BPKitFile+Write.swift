import Foundation

extension BPKitFile {
  /// Writes the model or checkpoint in `format`: the one way BPKit writes a
  /// model or checkpoint, whatever the format, as ``open(_:trust:network:)``
  /// is the one way it reads them.
  ///
  /// ```swift
  /// let file = try BPKitFile.open(URL(fileURLWithPath: "run.ckpt.h5"))
  /// for note in try file.write(to: URL(fileURLWithPath: "run.keras"), format: .keras) {
  ///   print("note:", note)
  /// }
  /// try BPKitFile.model(model).write(to: URL(fileURLWithPath: "model.h5"), format: .hdf5)
  /// ```
  ///
  /// bpkit HDF5 and JSON keep a checkpoint whole, tensors bit for bit. The
  /// Keras formats keep a checkpoint's or Keras file's optimizer state and
  /// loss, so that Keras continues training (Keras 3 restores optimizer state
  /// from `.keras` archives only); a model without an optimizer Keras has (an
  /// RPROP checkpoint, a plain model) is written uncompiled, without its loss.
  /// ONNX and safetensors hold the model alone.
  /// What the destination does not keep is returned, one sentence each.
  ///
  /// The file is written by ``OutputFile``: an existing file is replaced
  /// atomically (through symbolic links), a device or FIFO is written in
  /// place, and a destination that is one of `options.inputs` is refused.
  ///
  /// - Parameters:
  ///   - url: The destination; its folder must exist.
  ///   - format: The format; ``FileFormat/init(pathExtensionOf:)`` reads it
  ///     from a file name.
  ///   - options: Durability, the inputs the write must not replace, and how
  ///     JSON holds tensors and which ONNX opset is written.
  /// - Returns: What the destination does not keep, one sentence each; empty
  ///   when it keeps everything.
  /// - Throws: A ``BPKitError``: ``BPKitError/Code/outputIsAnInput`` or
  ///   ``BPKitError/Code/writeFailed`` when the destination is refused or
  ///   cannot be written, ``BPKitError/Code/unsupported`` when the model
  ///   cannot be expressed in `format`. The previous file at `url`, if any, is then unchanged.
  @discardableResult
  public func write(to url: URL, format: FileFormat, options: FileWriteOptions = .init()) throws(BPKitError) -> [String]
  {
    do {
      switch format {
      case .hdf5:
        if case .checkpoint(let checkpoint) = self {
          try checkpoint.write(to: url, options: options)
          return []
        }
        try model.write(to: url, options: options)
        return droppedKerasState(format)
      case .json:
        if case .checkpoint(let checkpoint) = self {
          try checkpoint.writeJSON(toPath: url.relativePath, weights: options.jsonWeights, options: options)
          return []
        }
        try model.writeJSON(toPath: url.relativePath, weights: options.jsonWeights, options: options)
        return droppedKerasState(format)
      case .keras, .kerasHDF5:
        var (keras, notes) = kerasModel
        try keras.write(toPath: url.relativePath, format: format == .keras ? .archive : .legacyHDF5, options: options)
        if let loss = keras.loss, keras.writtenLoss == nil {
          notes.append(
            "the loss \(loss.rawValue) is not written: Keras compiles a model with its optimizer, and there is none "
              + "to write, so the Keras file holds the model uncompiled")
        }
        if let note = unwrittenProbabilityClip(keras, format: format) { notes.append(note) }
        return notes
      case .onnx:
        try model.writeONNX(to: url, opset: options.onnxOpset, options: options)
        return droppedTrainingState(format) + unappliedRegularizers(format)
      case .safetensors:
        try model.writeSafetensors(to: url, options: options)
        return droppedTrainingState(format) + unappliedRegularizers(format)
      }

    } catch {
      throw BPKitError(error)
    }
  }

  /// The content as a Keras model with whatever training state Keras can
  /// hold, and what it cannot.
  var kerasModel: (KerasModel, notes: [String]) {
    switch self {
    case .keras(let keras): return (keras, [])
    case .checkpoint(let checkpoint):
      guard checkpoint.optimizer.configuration.kind != .rprop else {
        return (
          KerasModel(model: checkpoint.model, loss: checkpoint.configuration.loss),
          ["Keras has no RPROP optimizer: the model is written without a compiled optimizer"]
        )
      }
      var keras = KerasModel(
        model: checkpoint.model, optimizer: checkpoint.optimizer, loss: checkpoint.configuration.loss)
      // A legacy .h5 names the backend whose numbers the run's loss follows.
      keras.backend = checkpoint.configuration.probabilityClip == nil ? "tensorflow" : "jax"
      return (keras, [])
    case .model(let model): return (KerasModel(model: model), [])
    }
  }

  /// Keras files hold no probability clip: Keras' backend decides it (see
  /// ``ProbabilityClip``), and ε is `keras.config.epsilon()`, a setting of
  /// the Keras install. A legacy `.h5` names the backend (`jax` for a
  /// clipping run), a `.keras` archive nothing.
  private func unwrittenProbabilityClip(_ keras: KerasModel, format: FileFormat) -> String? {
    let clipping: Double? =
      switch self {
      case .checkpoint(let checkpoint): checkpoint.configuration.probabilityClip
      case .keras(let source): source.probabilityClip?.value
      case .model: nil
      }
    guard let epsilon = clipping, keras.writtenLoss != nil else { return nil }
    let clip = "the run's probability clip [\(epsilon), 1 − \(epsilon)]"
    let epsilonNote =
      epsilon == ProbabilityClip.kerasEpsilon
      ? "" : " with keras.config.set_epsilon(\(epsilon)) (the file cannot hold ε)"
    if format == .keras {
      return "\(clip) is not recorded in a .keras file, which does not say which Keras backend computes its loss: "
        + "Keras clips as this run did on the JAX, PyTorch and NumPy backends\(epsilonNote) and not on TensorFlow; "
        + "bpkit trains the file unclipped unless given --clip-probabilities keras"
    }
    guard epsilon != ProbabilityClip.kerasEpsilon else { return nil }
    return "\(clip) is written as the backend 'jax', which Keras clips at keras.config.epsilon() (1e-7): Keras clips "
      + "as this run did\(epsilonNote), and bpkit reads the file back with ε = 1e-7"
  }

  private func droppedKerasState(_ format: FileFormat) -> [String] {
    guard case .keras(let keras) = self, keras.optimizer != nil else { return [] }
    return ["the Keras optimizer state is not kept: \(format.noun) holds no training state"]
  }

  /// Regularizers are training settings that ONNX and PyTorch state_dicts
  /// have no place for: only bpkit's `bpkit.network` metadata entry keeps them.
  private func unappliedRegularizers(_ format: FileFormat) -> [String] {
    let layers = model.network.layers.filter { !$0.regularizers.isEmpty }
    guard !layers.isEmpty else { return [] }
    let list = layers.map { "\($0.name): \($0.regularizers.summary)" }.joined(separator: "; ")
    let reader = format == .onnx ? "ONNX has no regularizers" : "a PyTorch state_dict has no regularizers"
    return [
      "the regularizers (\(list)) are training settings that \(format.noun) does not carry: \(reader), so only "
        + "bpkit, reading its bpkit.network metadata, sees them again"
    ]
  }

  private func droppedTrainingState(_ format: FileFormat) -> [String] {
    guard optimizer != nil else { return [] }
    return ["the optimizer state and training progress are not kept: \(format.noun) holds the model alone"]
  }
}
