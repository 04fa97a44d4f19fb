extension TrainingPlan {
  /// The class weights `weighting` gives a run of `network` with `loss` on
  /// `training`: "auto" counts the training samples of each class.
  ///
  /// - Throws: ``TrainingError/invalidSetting(_:)`` naming `--class-weight`
  ///   for a regression loss, a sequence output or a class the model lacks.
  static func classWeights(
    _ weighting: ClassWeighting, training: TrainingData, network: NetworkDescription, loss: Loss
  ) throws -> [Double] {
    if loss.isRegression {
      throw TrainingError.invalidSetting(
        "--class-weight weighs the samples of each class, and the loss \(loss.rawValue) has no classes; drop "
          + "--class-weight or train a classifier (cross_entropy, binary_cross_entropy)")
    }
    let output = try network.outputShape()
    if case .sequence = output {
      throw TrainingError.invalidSetting(
        "--class-weight weighs whole samples, and this network outputs a sequence (Keras refuses class_weight for "
          + "3-D targets too); drop --class-weight")
    }
    let classes = ClassWeighting.classCount(outputWidth: output.width)
    var counts = [Int](repeating: 0, count: classes)
    if weighting == .balanced {
      func count(_ data: Dataset) throws {
        guard let targets = data.targets else { return }
        let width = data.targetWidth
        let found = targets.scalars.withUnsafeBufferPointer {
          ClassWeighting.classes(of: $0, width: width, count: data.sampleCount)
        }
        for c in found {
          guard (0..<classes).contains(c) else {
            throw TrainingError.targetsDoNotFit(
              "a training target is class \(c), but the network outputs \(classes) classes")
          }
          counts[c] += 1
        }
      }
      switch training {
      case .inMemory(let data):
        try count(data)
      case .streamed(let reader, let rows):
        var start = 0
        while start < rows.count {
          let end = min(start + TrainingSession.streamedBlockRows, rows.count)
          try count(try reader.read(rowsIn: rows.rows(at: start..<end)))
          start = end
        }
      }
    }
    return try weighting.weights(counts: counts)
  }
}

extension ClassWeighting {
  /// Class weights as `inspect` and messages show them: `0: 1, 1: 5`.
  public static func summary(_ weights: [Double]) -> String {
    weights.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", ")
  }
}
