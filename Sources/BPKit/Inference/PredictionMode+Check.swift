extension PredictionMode {
  /// Refuses a mode a model's outputs cannot give: ranking classes
  /// (``argmax``, ``topK(_:)``) needs a classifier (softmax or sigmoid
  /// outputs, or the logits of a from-logits loss:
  /// ``NetworkDescription/outputKind(loss:)``), and ``topK(_:)`` asks for 1
  /// to as many classes as it has.
  /// ``PredictionFormat/writer(to:mode:model:loss:)`` checks this too,
  /// naming the model "the model".
  ///
  /// - Parameters:
  ///   - kind: The model's outputs (``NetworkDescription/outputKind(loss:)``).
  ///   - file: How messages name the model, its file say.
  ///   - setting: How messages name the mode; `nil` says `argmax` or
  ///     `top-k`. `bpkit infer` names its flags (`--argmax`).
  ///   - lossSetting: When the model's file does not record the loss that
  ///     trained its linear output (``NetworkDescription/hasLinearOutput``),
  ///     how the caller gives one (`bpkit infer` says `--loss`): the refusal
  ///     of a regression output then names it for outputs that are logits.
  /// - Throws: ``BPKitError`` (``BPKitError/Code/invalidSetting``) when the
  ///   model cannot give what the mode asks for.
  public func check(
    against kind: NetworkDescription.OutputKind, of file: String, naming setting: String? = nil,
    lossSetting: String? = nil
  ) throws(BPKitError) {
    let name: String
    switch self {
    case .outputs: return
    case .argmax: name = setting ?? "argmax"
    case .topK: name = setting ?? "top-k"
    }
    if case .topK(let k) = self, k < 1 {
      throw BPKitError(ReportingError.noClassesAsked(setting: name, asked: k))
    }
    guard let classCount = kind.classCount else {
      throw BPKitError(
        ReportingError.notAClassifier(file: file, kind: kind.description, setting: name, lossSetting: lossSetting))
    }
    if case .topK(let k) = self, k > classCount {
      throw BPKitError(ReportingError.tooManyClasses(file: file, setting: name, asked: k, classCount: classCount))
    }
  }
}
