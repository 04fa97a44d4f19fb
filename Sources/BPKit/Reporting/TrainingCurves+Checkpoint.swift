import Foundation

extension TrainingCurves {
  /// The curves of a checkpoint's training history, as `bpkit plot` draws them.
  ///
  /// - Parameters:
  ///   - checkpoint: The run to draw.
  ///   - file: The checkpoint's path, named in errors; its last component
  ///     names the run in the default title.
  ///   - title: The title; `nil` for ``title(of:named:)``.
  ///   - metric: Which series to draw.
  /// - Throws: ``BPKitError``: ``BPKitError/Code/nothingToReport`` when no
  ///   epoch of the run has ended yet; ``BPKitError/Code/invalidSetting``
  ///   for ``Metric/accuracy`` of a run without accuracy (not a classifier).
  public init(checkpoint: Checkpoint, file: String, title: String? = nil, metric: Metric = .all) throws(BPKitError) {
    do {
      let history = checkpoint.progress.history
      guard !history.isEmpty else { throw ReportingError.noCompletedEpoch(file: file) }
      if metric == .accuracy, !history.contains(where: { $0.trainAccuracy != nil }) {
        throw ReportingError.noAccuracy(
          file: file, output: try checkpoint.model.network.outputKind().description,
          loss: checkpoint.configuration.loss.rawValue)
      }
      let name = URL(fileURLWithPath: file).lastPathComponent
      self.init(history: history, title: title ?? Self.title(of: checkpoint, named: name), metric: metric)

    } catch {
      throw BPKitError(error)
    }
  }

  /// The title that names a run: its file's name, network, optimizer and
  /// epochs, as in `run.ckpt.h5: 64 → 64 relu → 10 softmax, momentum, 30 epochs`.
  ///
  /// - Parameters:
  ///   - checkpoint: The run.
  ///   - name: The name of its file.
  public static func title(of checkpoint: Checkpoint, named name: String) -> String {
    let network = checkpoint.model.network
    let layers = network.layers.map { layer -> String in
      switch layer.kind {
      case .dense(let units, let activation, _): "\(units) \(activation.name)"
      case .elman(let units, let activation, _, _): "Elman \(units) \(activation.name)"
      case .lstm(let settings, _): "LSTM \(settings.units)"
      case .gru(let settings, _): "GRU \(settings.units)"
      case .standardize: "standardize"
      case .dropout(let rate): "dropout \(rate)"
      }
    }
    let input = network.input.isSequence ? "sequence of \(network.input.features)" : "\(network.input.features)"
    let epochs = checkpoint.progress.epoch == 1 ? "1 epoch" : "\(checkpoint.progress.epoch) epochs"
    return
      "\(name): \(([input] + layers).joined(separator: " → ")), \(checkpoint.optimizer.configuration.kind), \(epochs)"
  }
}
