import Foundation
import HDF5

/// Keras' legacy HDF5 model files, as `model.save("m.h5")` writes them
/// (keras/src/legacy/saving/legacy_h5_format.py): root attributes
/// `model_config` and `training_config` (JSON), the weights of layer L under
/// `model_weights/L/`, listed by the group's `weight_names` attribute, and the
/// optimizer's variables under `optimizer_weights/`, listed the same way.
///
/// Files reach here opened by ``OpeningPolicy``, like bpkit's own.
enum KerasLegacyHDF5 {
  /// The largest JSON attribute (`model_config`, `training_config`) read.
  static let maximumConfigurationBytes = 16 << 20

  static func holdsKerasModel(_ file: HDF5File) throws -> Bool {
    try file.root.hasAttribute("model_config")
  }

  static func read(_ file: HDF5File, path: String) throws -> KerasModel {
    let root = try file.root
    let config = try json(try root.stringAttribute("model_config"), name: "model_config", file: path)
    let plan = try KerasNetworkPlan.make(config: config, file: path)
    guard try root.contains("model_weights"), try root.kindOfChild("model_weights") == .group else {
      throw KerasError.invalidConfiguration(file: path, detail: "the file holds no model_weights group")
    }
    let weights = try root.openGroup("model_weights")
    let model = try plan.model(file: path) { source, _, name in
      guard try weights.contains(source.kerasName), try weights.kindOfChild(source.kerasName) == .group else {
        return nil
      }
      let group = try weights.openGroup(source.kerasName)
      guard try group.hasAttribute("weight_names") else { return nil }
      // Keras 3 names weights `model/layer/kernel`, Keras 2 `layer/kernel:0`.
      guard let stored = try group.stringArrayAttribute("weight_names").first(where: { variableName($0) == name })
      else { return nil }
      return try variable(stored, in: group, file: path)
    }
    // bpkit keeps the model's feature and class names in root attributes, which Keras ignores.
    var names = ModelNames()
    if try root.hasAttribute("bpkit_feature_names") {
      names.features = try root.stringArrayAttribute("bpkit_feature_names")
    }
    if try root.hasAttribute("bpkit_class_names") { names.classes = try root.stringArrayAttribute("bpkit_class_names") }
    let named: Model
    do {
      named = try model.named(names)
    } catch {
      throw KerasError.invalidConfiguration(file: path, detail: "the bpkit names: \(error)")
    }
    var result = KerasModel(
      model: named, kerasVersion: try? root.stringAttribute("keras_version"), warnings: [])
    result.format = .legacyHDF5
    result.backend = try? root.stringAttribute("backend")
    result.warnings += plan.warnings
    let training =
      try root.hasAttribute("training_config")
      ? try json(try root.stringAttribute("training_config"), name: "training_config", file: path) : nil
    result.importTraining(training.map { ($0["loss"], $0["optimizer_config"]) }) {
      (configuration) throws(KerasOptimizer.Skipped) in
      try optimizerState(configuration, root: root, model: model, file: path)
    }
    return result
  }

  private static func optimizerState(
    _ configuration: OptimizerConfiguration, root: HDF5Group, model: Model, file: String
  ) throws(KerasOptimizer.Skipped) -> OptimizerState {
    do {
      guard try root.contains("optimizer_weights") else {
        // A compiled model that never trained has no optimizer variables yet.
        return OptimizerState(configuration: configuration)
      }
      let group = try root.openGroup("optimizer_weights")
      let names = try group.stringArrayAttribute("weight_names")
      let leading = KerasOptimizer.leadingVariables(configuration).count
      guard names.count >= 1, variableName(names[0]) == "iteration" || variableName(names[0]) == "iter",
        variableName(names[0]) == "iter" || names.count >= leading
      else {
        throw KerasOptimizer.Skipped(reason: "the optimizer variables are not laid out as Keras 3 writes them")
      }
      let iterations = try KerasOptimizer.iterations(try variable(names[0], in: group, file: file))
      if variableName(names[0]) == "iter" {
        return try tfKeras2State(
          configuration, iterations: iterations, names: Array(names.dropFirst()), group: group, model: model, file: file
        )
      }
      let slots = try names.dropFirst(leading).map { try variable($0, in: group, file: file) }
      return try KerasOptimizer.state(configuration, iterations: iterations, slotVariables: slots, model: model)
    } catch let skipped as KerasOptimizer.Skipped {
      throw skipped
    } catch {
      throw KerasOptimizer.Skipped(reason: "the optimizer variables cannot be read: \(error)")
    }
  }

  /// tf.keras 2's slot names (`optimizer_v2/*.py`) in Keras 3's terms.
  static let tfKeras2SlotNames = [
    "m": "momentum", "v": "velocity", "vhat": "velocity_hat", "momentum": "momentum", "rms": "velocity",
    "mg": "average_gradient", "accumulator": "accumulator",
  ]

  /// The optimizer state of a file tf.keras 2 wrote: `iter`, then slots named
  /// `OPTIMIZER/LAYER/.../WEIGHT/SLOT:0` (`Adam/dense/kernel/m:0`), matched to
  /// weights by name; scalars such as Nadam's `momentum_cache` are recomputed by bpkit.
  private static func tfKeras2State(
    _ configuration: OptimizerConfiguration, iterations: Int64, names: [String], group: HDF5Group, model: Model,
    file: String
  ) throws -> OptimizerState {
    let trainable = model.orderedParameters.map(\.spec).filter(\.trainable)
    let expected = Set(OptimizerRule(configuration: configuration).slotNames)
    var named: [(slot: String, spec: ParameterSpec, variable: KerasVariable)] = []
    for name in names {
      let parts = name.split(separator: "/").map(String.init)
      let slotName = variableName(name)
      guard parts.count >= 4, let slot = tfKeras2SlotNames[slotName] else {
        if slotName == "momentum_cache" && configuration.kind == .nadam { continue }
        throw KerasOptimizer.Skipped(reason: "the tf.keras 2 optimizer variable \(name) is not one bpkit knows")
      }
      guard expected.contains(slot),
        let spec = trainable.first(where: { $0.key.layer == parts[1] && $0.key.name == parts[parts.count - 2] })
      else {
        throw KerasOptimizer.Skipped(
          reason:
            "the tf.keras 2 optimizer variable \(name) belongs to no \(configuration.kind.rawValue) slot of a trainable weight"
        )
      }
      named.append((slot, spec, try variable(name, in: group, file: file)))
    }
    guard named.count == expected.count * trainable.count else {
      throw KerasOptimizer.Skipped(
        reason: "the file holds \(named.count) optimizer slot variables; \(configuration.kind.rawValue) needs "
          + "\(expected.count * trainable.count)")
    }
    return try KerasOptimizer.state(configuration, iterations: iterations, named: named, dtype: model.dtype)
  }

  /// The last component of a Keras weight path, without TensorFlow's `:0`.
  static func variableName(_ path: String) -> String {
    let last = path.split(separator: "/").last.map(String.init) ?? path
    return last.hasSuffix(":0") ? String(last.dropLast(2)) : last
  }

  /// The dataset `name` under `group`, which must be a dataset reached through groups.
  static func variable(_ name: String, in group: HDF5Group, file: String) throws -> KerasVariable {
    guard let variable = try variableIfPresent(name, in: group, file: file) else {
      throw FormatError.missingObject(file: file, path: FileReader.join(group.path, name))
    }
    return variable
  }

  /// The dataset `name` under `group`, or `nil` when a level of the path is
  /// missing; an object there that is not a dataset is refused as missing.
  /// One walk of the path serves both the question and the opening.
  static func variableIfPresent(_ name: String, in group: HDF5Group, file: String) throws -> KerasVariable? {
    guard try KerasArchive.contains(group, name) else { return nil }
    guard try group.kindOfChild(name) == .dataset else {
      throw FormatError.missingObject(file: file, path: FileReader.join(group.path, name))
    }
    return KerasVariable(dataset: try group.openDataset(name), file: file)
  }

  static func json(_ text: String, name: String, file: String) throws -> [String: Any] {
    guard text.utf8.count <= maximumConfigurationBytes else {
      throw OpeningError.tooLarge(
        file: file, part: name, bytes: text.utf8.count, limit: maximumConfigurationBytes)
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
      throw KerasError.invalidConfiguration(file: file, detail: "\(name) is not a JSON object")
    }
    return object
  }
}
