/// The optimizers bpkit trains with.
public enum OptimizerKind: String, Codable, Hashable, Sendable, CaseIterable {
  /// Plain stochastic gradient descent.
  case sgd
  /// SGD with classical momentum.
  case momentum
  /// SGD with Nesterov momentum.
  case nesterov
  /// Adam (Kingma and Ba, 2015), with AMSGrad (Reddi et al., 2018) when ``OptimizerConfiguration/amsgrad`` is set.
  case adam
  /// Adam with decoupled weight decay (Loshchilov and Hutter, 2019), Keras' `AdamW`:
  /// Adam whose ``OptimizerConfiguration/weightDecay`` defaults to 0.004.
  case adamw
  /// Nesterov-accelerated Adam (Dozat, 2016), Keras' `Nadam`.
  case nadam
  /// Adagrad (Duchi et al., 2011).
  case adagrad
  /// RMSprop (Tieleman and Hinton, 2012), centred (Graves, 2013) when ``OptimizerConfiguration/centered`` is set.
  case rmsprop
  /// iRPROP− (Igel and Hüsken, 2000), full batch, as FANN implements it.
  case rprop
}

/// An optimizer and its hyperparameters.
///
/// Defaults are Keras 3's where Keras has the optimizer, FANN's for RPROP.
public struct OptimizerConfiguration: Codable, Hashable, Sendable {
  /// Which optimizer.
  public var kind: OptimizerKind
  /// The step size (unused by RPROP).
  public var learningRate: Double
  /// The momentum coefficient (momentum, Nesterov, and RMSprop when non-zero).
  public var momentum: Double
  /// Adam's first-moment decay.
  public var beta1: Double
  /// Adam's second-moment decay.
  public var beta2: Double
  /// The small constant that keeps Adam and RMSprop from dividing by zero.
  public var epsilon: Double
  /// RMSprop's decay of the squared-gradient average.
  public var rho: Double
  /// RPROP: the factor a step grows by when the gradient keeps its sign.
  public var increaseFactor: Double
  /// RPROP: the factor a step shrinks by when the gradient changes sign.
  public var decreaseFactor: Double
  /// RPROP: the smallest step.
  public var minimumStep: Double
  /// RPROP: the largest step.
  public var maximumStep: Double
  /// RPROP: the first step of every weight.
  public var initialStep: Double
  /// Adam and AdamW: whether the denominator uses the largest second moment seen (Keras' `amsgrad`).
  public var amsgrad: Bool
  /// RMSprop: whether the squared-gradient average is centred by the mean gradient (Keras' `centered`).
  public var centered: Bool
  /// Adagrad: the value every accumulator starts at (Keras' `initial_accumulator_value`).
  public var initialAccumulatorValue: Double
  /// Decoupled weight decay, w ← w − w·λ·η before each update, on every
  /// trainable weight (Keras' `weight_decay`); 0 is none.
  public var weightDecay: Double
  /// Rescales each weight tensor's gradient to at most this L2 norm (Keras' `clipnorm`); 0 is none.
  public var clipNorm: Double
  /// Clips every gradient element to [−c, c] (Keras' `clipvalue`); 0 is none.
  public var clipValue: Double
  /// Rescales all gradients together to at most this global L2 norm (Keras' `global_clipnorm`); 0 is none.
  public var globalClipNorm: Double
  /// The learning rate as a function of the step count (Keras' `learning_rate`
  /// given a schedule), or `nil` for the constant ``learningRate``. With a
  /// schedule, ``learningRate`` holds its rate at step 0.
  public var schedule: LearningRateSchedule? {
    didSet { if let schedule { learningRate = schedule.initialLearningRate } }
  }

  /// Creates a configuration; unspecified values take the defaults for `kind`.
  public init(
    kind: OptimizerKind, learningRate: Double? = nil, momentum: Double? = nil, beta1: Double = 0.9,
    beta2: Double = 0.999, epsilon: Double? = nil, rho: Double = 0.9, increaseFactor: Double = 1.2,
    decreaseFactor: Double = 0.5, minimumStep: Double = 0, maximumStep: Double = 50, initialStep: Double = 0.1,
    amsgrad: Bool = false, centered: Bool = false, initialAccumulatorValue: Double = 0.1,
    weightDecay: Double? = nil, clipNorm: Double = 0, clipValue: Double = 0, globalClipNorm: Double = 0,
    schedule: LearningRateSchedule? = nil
  ) {
    self.kind = kind
    self.learningRate = schedule?.initialLearningRate ?? learningRate ?? Self.defaultLearningRate(kind)
    self.schedule = schedule
    self.momentum = momentum ?? ((kind == .momentum || kind == .nesterov) ? 0.9 : 0)
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon ?? 1e-7
    self.rho = rho
    self.increaseFactor = increaseFactor
    self.decreaseFactor = decreaseFactor
    self.minimumStep = minimumStep
    self.maximumStep = maximumStep
    self.initialStep = initialStep
    self.amsgrad = amsgrad
    self.centered = centered
    self.initialAccumulatorValue = initialAccumulatorValue
    self.weightDecay = weightDecay ?? Self.defaultWeightDecay(kind)
    self.clipNorm = clipNorm
    self.clipValue = clipValue
    self.globalClipNorm = globalClipNorm
  }

  /// Keras 3's default learning rates: 0.01 for SGD, 0.001 for the adaptive optimizers.
  public static func defaultLearningRate(_ kind: OptimizerKind) -> Double {
    switch kind {
    case .sgd, .momentum, .nesterov: 0.01
    case .adam, .adamw, .nadam, .adagrad, .rmsprop: 0.001
    case .rprop: 0
    }
  }

  /// Keras 3's default weight decay: 0.004 for AdamW, none for the others.
  public static func defaultWeightDecay(_ kind: OptimizerKind) -> Double {
    kind == .adamw ? 0.004 : 0
  }

  /// The learning rate of the update that follows `iterations` updates.
  public func learningRate(afterIterations iterations: Int64) -> Double {
    schedule?.learningRate(atStep: iterations) ?? learningRate
  }

  /// Whether any gradient clipping is on.
  var clips: Bool { clipNorm != 0 || clipValue != 0 || globalClipNorm != 0 }
}

/// An optimizer's complete state: configuration, step count and every slot,
/// so that training continues exactly where it stopped.
public struct OptimizerState: Hashable, Sendable {
  /// The optimizer and its hyperparameters.
  public var configuration: OptimizerConfiguration
  /// The number of updates applied so far (Keras' `iterations`).
  public var iterations: Int64
  /// Per-weight state by slot name, for example `momentum`, `velocity`,
  /// `previous_gradient`, `step_size`; each slot has one tensor per trainable weight.
  /// For the optimizer of a float64 model, each slot rounded to Float32, for
  /// display; ``float64Slots`` holds the exact values. Setting it makes the
  /// state float32 (``float64Slots`` becomes `nil`).
  public var slots: [String: [ParameterKey: Tensor<Float>]] {
    didSet { float64Slots = nil }
  }
  /// The exact slots of a float64 model's optimizer, or `nil` for a float32 one.
  public private(set) var float64Slots: [String: [ParameterKey: Tensor<Double>]]?

  /// Creates the state of a float32 model's optimizer.
  public init(
    configuration: OptimizerConfiguration, iterations: Int64 = 0,
    slots: [String: [ParameterKey: Tensor<Float>]] = [:]
  ) {
    self.configuration = configuration
    self.iterations = iterations
    self.slots = slots
    float64Slots = nil
  }

  /// Creates the state of a float64 model's optimizer, whose slots are Float64.
  public init(
    configuration: OptimizerConfiguration, iterations: Int64 = 0,
    float64Slots: [String: [ParameterKey: Tensor<Double>]]
  ) {
    self.configuration = configuration
    self.iterations = iterations
    slots = float64Slots.mapValues { $0.mapValues(Tensor<Float>.init(rounding:)) }
    self.float64Slots = float64Slots
  }

  /// The precision of the slots: ``DType/float64`` when the state holds ``float64Slots``.
  public var dtype: DType { float64Slots == nil ? .float32 : .float64 }

  /// The state in another precision: widening is exact, narrowing rounds
  /// each value to the nearest Float. A state without slots (a fresh
  /// optimizer) is the same in both.
  public func converted(to dtype: DType) -> OptimizerState {
    guard dtype != self.dtype else { return self }
    switch dtype {
    case .float64:
      return OptimizerState(
        configuration: configuration, iterations: iterations,
        float64Slots: slots.mapValues { $0.mapValues(Tensor<Double>.init(widening:)) })
    case .float32:
      return OptimizerState(configuration: configuration, iterations: iterations, slots: slots)
    }
  }
}
