/// A schedule as Keras serializes it: a class name and settings by Keras'
/// names, the one description every format bpkit writes a schedule in
/// (checkpoints, JSON, Keras files) and `bpkit train --lr-schedule` reads.
extension LearningRateSchedule {
  /// One setting's value.
  public enum Setting: Hashable, Sendable {
    /// A number.
    case number(Double)
    /// A yes-or-no setting (`staircase`, `cycle`).
    case flag(Bool)
    /// A list of numbers (`boundaries`, `values`).
    case numbers([Double])
  }

  /// Why a described schedule cannot be made, as one sentence naming the
  /// setting; the readers of each format put it in their own error.
  struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
    var description: String
  }

  /// The schedules bpkit has, by Keras' class names.
  public static let kerasClassNames = [
    "ExponentialDecay", "PiecewiseConstantDecay", "InverseTimeDecay", "PolynomialDecay", "CosineDecay",
  ]

  /// The settings by Keras' names in `get_config` order (without `name`);
  /// `nil` is Keras' `None` (a cosine decay without warmup target).
  public var kerasSettings: [(name: String, value: Setting?)] {
    switch self {
    case .exponentialDecay(let initial, let steps, let rate, let staircase),
      .inverseTimeDecay(let initial, let steps, let rate, let staircase):
      [
        ("initial_learning_rate", .number(initial)), ("decay_steps", .number(steps)), ("decay_rate", .number(rate)),
        ("staircase", .flag(staircase)),
      ]
    case .piecewiseConstantDecay(let boundaries, let values):
      [("boundaries", .numbers(boundaries)), ("values", .numbers(values))]
    case .polynomialDecay(let initial, let steps, let end, let power, let cycle):
      [
        ("initial_learning_rate", .number(initial)), ("decay_steps", .number(steps)),
        ("end_learning_rate", .number(end)), ("power", .number(power)), ("cycle", .flag(cycle)),
      ]
    case .cosineDecay(let initial, let steps, let alpha, let target, let warmup):
      [
        ("initial_learning_rate", .number(initial)), ("decay_steps", .number(steps)), ("alpha", .number(alpha)),
        ("warmup_target", target.map { .number($0) }), ("warmup_steps", .number(warmup)),
      ]
    }
  }

  /// The setting names a class takes, each with whether Keras requires it.
  static func settingNames(ofKerasClass className: String) -> [(name: String, required: Bool)]? {
    switch className {
    case "ExponentialDecay", "InverseTimeDecay":
      [("initial_learning_rate", true), ("decay_steps", true), ("decay_rate", true), ("staircase", false)]
    case "PiecewiseConstantDecay": [("boundaries", true), ("values", true)]
    case "PolynomialDecay":
      [
        ("initial_learning_rate", true), ("decay_steps", true), ("end_learning_rate", false), ("power", false),
        ("cycle", false),
      ]
    case "CosineDecay":
      [
        ("initial_learning_rate", true), ("decay_steps", true), ("alpha", false), ("warmup_target", false),
        ("warmup_steps", false),
      ]
    default: nil
    }
  }

  /// Makes a schedule from its Keras class name and settings, with Keras'
  /// defaults for the optional ones (`staircase` false, `end_learning_rate`
  /// 0.0001, `power` 1, `cycle` false, `alpha` 0, no warmup); settings not
  /// the class's are refused, as are values ``problem`` names.
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/invalidSetting``) naming the class or setting.
  public init(kerasClassName className: String, settings: [String: Setting]) throws(BPKitError) {
    do {
      self = try Self.make(kerasClassName: className, settings: settings)
    } catch {
      throw BPKitError(TrainingError.invalidSetting(error.description))
    }
  }

  /// ``init(kerasClassName:settings:)`` for the readers, which name the file.
  static func make(kerasClassName className: String, settings: [String: Setting]) throws(Problem) -> Self {
    guard let names = Self.settingNames(ofKerasClass: className) else {
      throw Problem(
        description: "bpkit has no \(className) learning-rate schedule; it has "
          + Self.kerasClassNames.joined(separator: ", "))
    }
    if let unknown = settings.keys.sorted().first(where: { key in !names.contains { $0.name == key } }) {
      throw Problem(
        description: "\(className) has no setting \(unknown); its settings are "
          + names.map(\.name).joined(separator: ", "))
    }
    if let missing = names.first(where: { $0.required && settings[$0.name] == nil }) {
      throw Problem(description: "\(className) needs \(missing.name)")
    }
    func number(_ name: String, _ fallback: Double = 0) throws(Problem) -> Double {
      switch settings[name] {
      case nil: return fallback
      case .number(let value): return value
      default: throw Problem(description: "\(className) \(name) must be a number")
      }
    }
    func flag(_ name: String) throws(Problem) -> Bool {
      switch settings[name] {
      case nil: return false
      case .flag(let value): return value
      default: throw Problem(description: "\(className) \(name) must be true or false")
      }
    }
    func numbers(_ name: String) throws(Problem) -> [Double] {
      guard case .numbers(let values) = settings[name] else {
        throw Problem(description: "\(className) \(name) must be a list of numbers")
      }
      return values
    }
    let schedule: Self
    switch className {
    case "ExponentialDecay":
      schedule = .exponentialDecay(
        initialLearningRate: try number("initial_learning_rate"), decaySteps: try number("decay_steps"),
        decayRate: try number("decay_rate"), staircase: try flag("staircase"))
    case "InverseTimeDecay":
      schedule = .inverseTimeDecay(
        initialLearningRate: try number("initial_learning_rate"), decaySteps: try number("decay_steps"),
        decayRate: try number("decay_rate"), staircase: try flag("staircase"))
    case "PiecewiseConstantDecay":
      schedule = .piecewiseConstantDecay(boundaries: try numbers("boundaries"), values: try numbers("values"))
    case "PolynomialDecay":
      schedule = .polynomialDecay(
        initialLearningRate: try number("initial_learning_rate"), decaySteps: try number("decay_steps"),
        endLearningRate: try number("end_learning_rate", 0.0001), power: try number("power", 1),
        cycle: try flag("cycle"))
    default:
      schedule = .cosineDecay(
        initialLearningRate: try number("initial_learning_rate"), decaySteps: try number("decay_steps"),
        alpha: try number("alpha"), warmupTarget: settings["warmup_target"] == nil ? nil : try number("warmup_target"),
        warmupSteps: try number("warmup_steps"))
    }
    if let problem = schedule.problem { throw Problem(description: problem) }
    return schedule
  }

  /// Reads `bpkit train --lr-schedule`: a Keras class name in snake_case
  /// (`exponential_decay`) or as Keras spells it, then `:` and settings
  /// `name=value` separated by commas; lists are separated by `/`, and a
  /// yes-or-no setting alone means yes. `initial_learning_rate` defaults to
  /// `learningRate` (the `--lr` or the optimizer's default).
  ///
  ///     exponential_decay:decay_steps=1000,decay_rate=0.96,staircase
  ///     piecewise_constant_decay:boundaries=500/1000,values=0.1/0.01/0.001
  ///     cosine_decay:decay_steps=1000,alpha=0.1,warmup_target=0.01,warmup_steps=100
  ///
  /// - Throws: ``BPKitError`` (``BPKitError/Code/invalidSetting``) naming the part that does not read.
  public init(specification: String, learningRate: Double) throws(BPKitError) {
    do {
      self = try Self.parse(specification: specification, learningRate: learningRate)
    } catch {
      throw BPKitError(TrainingError.invalidSetting(error.description))
    }
  }

  /// ``init(specification:learningRate:)`` for the training options, which report the problem themselves.
  static func parse(specification: String, learningRate: Double) throws(Problem) -> Self {
    let parts = specification.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let name = String(parts[0])
    let className =
      Self.kerasClassNames.first { $0 == name || Self.snakeCase($0) == name } ?? name
    var settings: [String: Setting] = [:]
    if parts.count == 2 {
      for item in parts[1].split(separator: ",") {
        let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
        let key = pair[0]
        guard settings[key] == nil else { throw Problem(description: "--lr-schedule gives \(key) twice") }
        guard pair.count == 2 else {
          settings[key] = .flag(true)
          continue
        }
        let text = pair[1]
        if text == "true" || text == "false" {
          settings[key] = .flag(text == "true")
        } else if key == "boundaries" || key == "values" {
          let values = text.split(separator: "/", omittingEmptySubsequences: false).map { Double(String($0)) }
          guard values.allSatisfy({ $0 != nil }) else {
            throw Problem(description: "--lr-schedule \(key) must be numbers separated by /, not \(text)")
          }
          settings[key] = .numbers(values.map { $0! })
        } else if let value = Double(text) {
          settings[key] = .number(value)
        } else {
          throw Problem(description: "--lr-schedule \(key) must be a number, not \(text)")
        }
      }
    }
    if className != "PiecewiseConstantDecay" && settings["initial_learning_rate"] == nil {
      settings["initial_learning_rate"] = .number(learningRate)
    }
    guard Self.settingNames(ofKerasClass: className) != nil else {
      throw Problem(
        description: "--lr-schedule \(name) is not a schedule bpkit has; give one of "
          + Self.kerasClassNames.map(Self.snakeCase).joined(separator: ", "))
    }
    return try make(kerasClassName: className, settings: settings)
  }

  /// Whether the schedule takes no initial learning rate (a piecewise constant one lists its rates).
  var ignoresInitialRate: Bool {
    if case .piecewiseConstantDecay = self { true } else { false }
  }

  /// `ExponentialDecay` as `exponential_decay`.
  static func snakeCase(_ name: String) -> String {
    var result = ""
    for character in name {
      if character.isUppercase && !result.isEmpty { result.append("_") }
      result.append(contentsOf: character.lowercased())
    }
    return result
  }

  /// One line: the class and its settings, as `inspect` and the notes show it.
  public var summary: String {
    // Whole numbers without a fraction (decay_steps=1000), the others as Swift prints them.
    func text(_ number: Double) -> String {
      number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
    }
    let settings = kerasSettings.compactMap { name, value -> String? in
      switch value {
      case nil: nil
      case .number(let number): "\(name)=\(text(number))"
      case .flag(let flag): "\(name)=\(flag)"
      case .numbers(let numbers): "\(name)=\(numbers.map(text).joined(separator: "/"))"
      }
    }
    return "\(Self.snakeCase(kerasClassName)):\(settings.joined(separator: ","))"
  }
}
