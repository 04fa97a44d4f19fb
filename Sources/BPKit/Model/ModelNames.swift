/// The names a model keeps from the data it was trained on: its input
/// features (a CSV header, or the `feature_names` attribute of an HDF5
/// inputs dataset) and its classes (string labels in a CSV file, in sorted
/// order).
///
/// Both are optional: a model trained on unnamed data has none, and reports
/// its features as `x0`, `x1`, ... (``Model/featureNames``) and its classes
/// by index. Formats carry them as they are: bpkit HDF5 (`/feature_names`,
/// `/class_names`, format 1.1), bpkit JSON (`feature_names`, `class_names`),
/// Keras files (bpkit metadata), and for ONNX and safetensors the same two
/// lists in their metadata.
public struct ModelNames: Hashable, Sendable, Codable {
  /// The names of the input features, one per feature (per step, for sequences), in input order.
  public var features: [String]?
  /// The names of the classes, one per class, in class-index order.
  public var classes: [String]?

  /// Names for a model; `nil` for what is not named.
  public init(features: [String]? = nil, classes: [String]? = nil) {
    self.features = features
    self.classes = classes
  }

  /// Whether nothing is named.
  public var isEmpty: Bool { features == nil && classes == nil }

  /// Checks the names against a network: one feature name per input
  /// feature, one class name per class (two for a binary classifier; a
  /// linear output, whose values may be the logits of a from-logits loss,
  /// one per output, or two for one output), each name non-empty and unique
  /// in its list.
  ///
  /// - Throws: ``BPKitError/Code/invalidModel`` saying what does not fit.
  public func check(against network: NetworkDescription) throws(BPKitError) {
    do {
      if let features {
        guard features.count == network.input.features else {
          throw ModelError.invalidNames(
            "\(features.count) feature names for an input of \(network.input.features) features")
        }
        try Self.checkList(features, what: "feature")
      }
      if let classes {
        let kind = try network.outputKind()
        // A linear output may hold the logits of a from-logits loss: one per class, or one of class 1 of two.
        let width = try network.outputShape().width
        let logits = network.hasLinearOutput ? (width == 1 ? 2 : width) : nil
        guard kind.classCount == classes.count || logits == classes.count else {
          throw ModelError.invalidNames("\(classes.count) class names for \(kind.description)")
        }
        try Self.checkList(classes, what: "class")
      }

    } catch {
      throw BPKitError(error)
    }
  }

  private static func checkList(_ names: [String], what: String) throws(ModelError) {
    if let empty = names.firstIndex(where: \.isEmpty) { throw .invalidNames("\(what) name \(empty + 1) is empty") }
    var seen = Set<String>()
    for name in names where !seen.insert(name).inserted { throw .invalidNames("\(what) name '\(name)' appears twice") }
  }
}

extension Model {
  /// The input features' names: the stored ones, else `x0`, `x1`, ...
  public var featureNames: [String] {
    names.features ?? (0..<network.input.features).map { "x\($0)" }
  }

  /// The name of class `index`: the stored one, else the index as text.
  public func className(_ index: Int) -> String {
    names.classes.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? String(index)
  }

  /// Replaces the names after checking them against the network.
  ///
  /// - Throws: ``BPKitError/Code/invalidModel`` when they do not fit.
  public mutating func setNames(_ names: ModelNames) throws(BPKitError) {
    do {
      try names.check(against: network)
      self.names = names

    } catch {
      throw BPKitError(error)
    }
  }

  /// This model with other names (checked against the network).
  ///
  /// - Throws: ``BPKitError/Code/invalidModel`` when they do not fit.
  public func named(_ names: ModelNames) throws(BPKitError) -> Model {
    do {
      var model = self
      try model.setNames(names)
      return model

    } catch {
      throw BPKitError(error)
    }
  }
}
