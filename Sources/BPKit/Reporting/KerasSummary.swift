/// What a Keras file says of how its loss was computed: the loss it was
/// compiled with and the backend that saved it, which decides Keras'
/// probability clip (see ``ProbabilityClip``), as `bpkit inspect` shows it.
public struct KerasSummary: Sendable, Encodable, Hashable {
  /// The compiled loss, by bpkit's name, or `nil` when the file is
  /// uncompiled or its loss is one bpkit lacks.
  public var loss: String?
  /// The backend a legacy `.h5` records (root attribute `backend`); `nil`
  /// for a `.keras` archive, which does not record it.
  public var backend: String?
  /// ε of the clip `bpkit train --model` applies by the backend's rule, or
  /// `nil` for none (TensorFlow's rule, a loss that clips nothing, or a file
  /// that does not record its backend, trained as TensorFlow's).
  public var probabilityClip: Double?

  /// Summarises a Keras file.
  public init(_ keras: KerasModel) {
    loss = keras.loss?.rawValue
    backend = keras.backend
    probabilityClip = keras.probabilityClip?.value
  }

  /// The loss as `inspect` prints it, with the backend's rule where the loss reads probabilities.
  var text: String? {
    guard let loss else { return nil }
    guard let kind = Loss(rawValue: loss), ProbabilityClip.applies(to: kind) else { return loss }
    if let epsilon = probabilityClip {
      return "\(loss); Keras backend \(backend ?? ""): probabilities clipped to \(ProbabilityClip.summary(epsilon))"
    }
    if let backend, backend == "tensorflow" {
      return "\(loss); Keras backend tensorflow: from the logits, unclipped"
    }
    return "\(loss); Keras backend "
      + (backend.map { "'\($0)', unknown" } ?? "not recorded")
      + ": trained unclipped, as on TensorFlow, unless --clip-probabilities keras"
  }

  enum CodingKeys: String, CodingKey {
    case loss, backend
    case probabilityClip = "probability_clip"
  }

  /// Encodes the summary with every key, `null` where the file says nothing.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(loss, forKey: .loss)
    try container.encode(backend, forKey: .backend)
    try container.encode(probabilityClip, forKey: .probabilityClip)
  }
}
