/// The version of bpkit's file layout, written as the root attribute
/// `format_version` ("MAJOR.MINOR").
///
/// A new minor version only adds to the layout, so older readers can read it;
/// a new major version changes it, and readers refuse majors newer than theirs.
public struct FormatVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// Incremented when the layout changes incompatibly.
  public var major: Int
  /// Incremented when the layout gains something older readers may ignore.
  public var minor: Int

  /// Creates a version.
  public init(major: Int, minor: Int) {
    self.major = major
    self.minor = minor
  }

  /// Parses `"MAJOR.MINOR"`; returns `nil` for anything else.
  public init?(_ text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0,
      parts.allSatisfy({ $0.allSatisfy(\.isASCII) })
    else { return nil }
    self.init(major: major, minor: minor)
  }

  /// The version this bpkit writes.
  ///
  /// 1.1 added the optional `/feature_names` and `/class_names` datasets;
  /// 1.2 the optimizers adamw, nadam and adagrad and the `/optimizer`
  /// attributes `amsgrad`, `centered`, `initial_accumulator_value`,
  /// `weight_decay`, `clipnorm`, `clipvalue` and `global_clipnorm`; 1.3 the
  /// learning-rate schedule `/optimizer/schedule` and a seeded validation
  /// split: the `/training` attribute `validation_split_seed` and dataset
  /// `validation_rows`; the layer types `lstm` and `gru` and the activation
  /// `hard_sigmoid`; 1.4 early stopping and reduce-on-plateau: the groups
  /// `early_stopping` and `reduce_lr_on_plateau` under `/training` (the
  /// settings) and `/progress` (the watch); the activations `gelu`,
  /// `gelu_tanh`, `silu`, `softplus`, `softsign`, `selu`, `hard_silu`,
  /// `relu6`, `exponential`, `mish` and `log_softmax`; the losses `mae` and
  /// `huber`; 1.5 the `/training` dataset `class_weights`, the layer type
  /// `dropout`, and the layer members `kernel_regularizer`,
  /// `recurrent_regularizer` and `bias_regularizer` of `/network`, and
  /// float64 models (the root attribute `dtype`); 1.6 the losses
  /// `cross_entropy_from_logits`, `binary_cross_entropy_from_logits`,
  /// `sparse_cross_entropy` and `sparse_cross_entropy_from_logits`, and a
  /// float64 run's early stopping best weights as float64 datasets; 1.7
  /// Keras' probability clip: the `/training` attribute `probability_clip`,
  /// with the loss spelled `…_clipped`.
  public static let current = FormatVersion(major: 1, minor: 7)

  /// Whether this bpkit can read files of `self`: any version up to its own major.
  public var isReadable: Bool { major <= Self.current.major }

  /// `"MAJOR.MINOR"`.
  public var description: String { "\(major).\(minor)" }

  /// Whether `lhs` is an older version than `rhs`.
  public static func < (lhs: FormatVersion, rhs: FormatVersion) -> Bool {
    (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
  }
}
