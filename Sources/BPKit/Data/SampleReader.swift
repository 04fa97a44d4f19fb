/// Samples read a batch at a time, for training or inference.
public struct SampleBatch: Sendable {
  /// The inputs, row-major: `count` samples of the same width.
  public var inputs: [Float] = []
  /// The number of samples.
  public var count = 0
  /// The labels (targets) of the samples, row-major, when the input carries them.
  public var labels: [Float]?
  /// The line each sample was read from, for readers of lines (CSV).
  public var lines: [Int]?
  /// The inputs exactly as read, when the reader reads in Float64 (for a
  /// float64 model); ``inputs`` then holds them rounded to Float32.
  public var float64Inputs: [Double]?
  /// The labels exactly as read, when the reader reads in Float64.
  public var float64Labels: [Double]?

  /// Creates a batch.
  public init(inputs: [Float] = [], count: Int = 0, labels: [Float]? = nil) {
    self.inputs = inputs
    self.count = count
    self.labels = labels
  }

  /// Whether the last sample, whose inputs start at `start`, has another
  /// length from the samples before it; a batch holds samples of one length.
  package func lastSampleChangesLength(inputsFrom start: Int) -> Bool {
    count > 1 && inputs.count - start != start / (count - 1)
  }

  /// Removes the last sample, whose inputs start at `inputStart` and labels
  /// at `labelStart`, and returns it as a batch of its own.
  package mutating func removeLastSample(inputsFrom inputStart: Int, labelsFrom labelStart: Int) -> SampleBatch {
    var last = SampleBatch(
      inputs: Array(inputs[inputStart...]), count: 1, labels: labels.map { Array($0[labelStart...]) })
    last.lines = lines.map { [$0.last!] }
    last.float64Inputs = float64Inputs.map { Array($0[inputStart...]) }
    last.float64Labels = float64Labels.map { Array($0[labelStart...]) }
    inputs.removeSubrange(inputStart...)
    labels?.removeSubrange(labelStart...)
    float64Inputs?.removeSubrange(inputStart...)
    float64Labels?.removeSubrange(labelStart...)
    lines?.removeLast()
    count -= 1
    return last
  }
}

/// A source of samples, read a batch at a time so that memory stays bounded:
/// CSV (``CSVSampleReader``), HDF5 (``HDF5SampleReader``), a JSON array or
/// JSON Lines (``JSONSampleReader``), from a file or standard input.
///
/// `bpkit infer` predicts from one, and ``Dataset/readCSV(path:targetColumns:ignoring:requireFinite:classes:dtype:)``
/// gathers the samples of a ``CSVSampleReader`` into memory for training.
public protocol SampleReader: AnyObject {
  /// The name used in messages: a path or `standard input`.
  var source: String { get }
  /// Reads up to `limit` samples; `nil` once the input is exhausted.
  ///
  /// - Throws: ``BPKitError`` naming the place of the first bad value.
  func next(limit: Int) throws(BPKitError) -> SampleBatch?
}

/// What one input sample must look like.
public struct SampleLayout: Sendable {
  /// The numbers per time step (per sample, for vector models).
  public var features: Int
  /// The number of time steps for sequence models with a fixed length; `nil`
  /// for vector models (1 step) or any length.
  public var steps: Int?
  /// Whether the model takes sequences.
  public var isSequence: Bool
  /// Whether the model takes sequences of any length: each sample then has
  /// its own, and readers end a batch where the length changes.
  public var isAnyLength: Bool { isSequence && steps == nil }

  /// The layout of a network's input.
  public init(_ shape: InputShape) {
    features = shape.features
    switch shape {
    case .vector: steps = 1; isSequence = false
    case .sequence(let steps, _): self.steps = steps; isSequence = true
    }
  }

  /// Checks the width of one flat sample: the model's steps times its
  /// features, or for any-length sequence models any whole number of steps.
  public func check(width: Int, at place: String) throws(BPKitError) {
    do {
      if let steps {
        guard width == steps * features else {
          throw DataError.widthMismatch(source: place, expected: steps * features, found: width)
        }
      } else {
        guard width > 0, width % features == 0 else {
          throw DataError.widthMismatch(source: place, expected: features, found: width)
        }
      }

    } catch {
      throw BPKitError(error)
    }
  }
}
