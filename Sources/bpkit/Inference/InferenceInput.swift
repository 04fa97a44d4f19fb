import BPKit

/// Samples read for inference, a batch at a time.
struct InputBatch {
  /// The inputs, row-major: `count` samples of the model's sample width.
  var inputs: [Float] = []
  /// The number of samples.
  var count = 0
  /// The labels of the samples, when the input carries them.
  var labels: [Float]?
}

/// A source of samples for `bpkit infer`: a file or standard input in one of
/// the supported formats.
protocol InferenceInput: AnyObject {
  /// The name used in messages: a path or `standard input`.
  var source: String { get }
  /// Reads up to `limit` samples; `nil` once the input is exhausted.
  func next(limit: Int) throws -> InputBatch?
}

/// What one input sample must look like.
struct SampleLayout {
  /// The numbers per time step (per sample, for vector models).
  var features: Int
  /// The number of time steps for sequence models with a fixed length; `nil`
  /// for vector models (1 step) or any length.
  var steps: Int?
  /// Whether the model takes sequences.
  var isSequence: Bool

  init(_ shape: InputShape) {
    features = shape.features
    switch shape {
    case .vector: steps = 1; isSequence = false
    case .sequence(let steps, _): self.steps = steps; isSequence = true
    }
  }

  /// Checks the width of one flat sample, learning the step count of
  /// any-length sequence models from the first sample.
  mutating func check(width: Int, at place: String) throws(DataError) {
    if let steps {
      guard width == steps * features else {
        throw .widthMismatch(source: place, expected: steps * features, found: width)
      }
    } else {
      guard width > 0, width % features == 0 else {
        throw .widthMismatch(source: place, expected: features, found: width)
      }
      steps = width / features
    }
  }
}
