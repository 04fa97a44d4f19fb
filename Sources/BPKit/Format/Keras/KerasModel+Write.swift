import Foundation
import HDF5
import ZIPFoundation

extension KerasModel {
  /// The Keras version whose file layout bpkit writes.
  public static let writtenKerasVersion = "3.15.1"

  /// Writes the model, and its optimizer state and loss when present, in a
  /// Keras format that `keras.models.load_model` (Keras 3) reads.
  ///
  /// Keras compiles a model with an optimizer and a loss together, so a
  /// model without an ``optimizer`` is written uncompiled, its ``loss`` left
  /// out (see ``writtenLoss``), rather than compiled with an optimizer it never had.
  ///
  /// Activations Keras names with other parameters (a leaky ReLU slope other
  /// than 0.2, an ELU alpha other than 1) after a dense layer become a
  /// `LeakyReLU` or `ELU` layer; a standardize layer becomes `Normalization`.
  ///
  /// The file is written by ``OutputFile``: replaced atomically, or written in
  /// place for a device or `-`.
  ///
  /// - Throws: ``KerasError/cannotExport(detail:)`` for what Keras cannot
  ///   express; ``OutputFileError`` when the destination is refused;
  ///   `HDF5Error`, ``OutputFileError`` or ``KerasError/io(file:detail:)``
  ///   on write failures, the previous file, if any, then unchanged.
  package func write(toPath path: String, format: Format, options: FileWriteOptions = .init()) throws {
    let plan = try KerasExportPlan(model)
    var optimizerConfig: [String: Any]?
    if let optimizer {
      guard let serialized = KerasOptimizer.serialized(optimizer.configuration) else {
        throw KerasError.cannotExport(
          detail: "Keras has no \(optimizer.configuration.kind.rawValue) optimizer; convert the model alone")
      }
      optimizerConfig = serialized
    }
    // Weights, up to two optimizer slots each, and for an archive the
    // weights file beside the zip that packs it.
    let reserved = model.estimatedFileBytes * (optimizer == nil ? 1 : 3) * (format == .archive ? 2 : 1)
    let output = try OutputFile(replacing: path, options: options, reservingBytes: reserved)
    switch format {
    case .legacyHDF5: try writeLegacy(plan, optimizerConfig: optimizerConfig, to: output.creationPath())
    case .archive:
      try writeArchive(
        plan, optimizerConfig: optimizerConfig, to: URL(fileURLWithPath: try output.creationPath()),
        weightsPath: try output.scratchPath("weights"), destination: path)
    }
    try output.commit()
  }

  /// The loss a Keras file written from this value holds (see
  /// ``BPKitFile/write(to:format:options:)``): the model's, when it has an
  /// optimizer to be compiled with; `nil` otherwise.
  public var writtenLoss: Loss? { optimizer == nil ? nil : loss }

  private func compileConfig(_ optimizerConfig: [String: Any], legacy: Bool) -> [String: Any] {
    [
      "optimizer": optimizerConfig,
      "loss": loss.map { KerasOptimizer.kerasLoss($0, legacy: legacy) } ?? NSNull(),
      "loss_weights": NSNull(), "metrics": NSNull(), "weighted_metrics": NSNull(), "run_eagerly": false,
      "steps_per_execution": 1, "jit_compile": false,
    ]
  }

  // MARK: Legacy HDF5

  private func writeLegacy(_ plan: KerasExportPlan, optimizerConfig: [String: Any]?, to path: String) throws {
    let file = try HDF5File.create(atPath: path, overwrite: true)
    let root = try file.root
    try root.setAttribute("backend", to: backend ?? "tensorflow")
    try root.setAttribute("keras_version", to: Self.writtenKerasVersion)
    try root.setAttribute("model_config", to: KerasJSON.text(plan.modelConfig(modules: false)))
    if let features = model.names.features { try root.setAttribute("bpkit_feature_names", to: features) }
    if let classes = model.names.classes { try root.setAttribute("bpkit_class_names", to: classes) }
    if let optimizerConfig {
      var training = compileConfig(optimizerConfig, legacy: true)
      training["optimizer_config"] = training.removeValue(forKey: "optimizer")
      try root.setAttribute("training_config", to: KerasJSON.text(training))
    }
    let weights = try root.createGroup("model_weights")
    try weights.setAttribute("backend", to: backend ?? "tensorflow")
    try weights.setAttribute("keras_version", to: Self.writtenKerasVersion)
    let withWeights = plan.layers.filter { !$0.variables.isEmpty }
    try weights.setAttribute("layer_names", to: withWeights.map { $0.config["name"] as! String })
    for layer in withWeights {
      let name = layer.config["name"] as! String
      let group = try weights.createGroup(name)
      let inner = try group.createGroup(name)
      try group.setAttribute("weight_names", to: layer.variables.map { "\(name)/\($0.name)" })
      for variable in layer.variables { try Self.write(variable.value, named: variable.name, in: inner) }
    }
    if let optimizer, let optimizerConfig {
      let name = (optimizerConfig["config"] as! [String: Any])["name"] as! String
      let group = try root.createGroup("optimizer_weights")
      let inner = try group.createGroup(name)
      let slots = plan.optimizerSlots(optimizer, model: model)
      // A schedule is no variable: Keras tracks a learning_rate variable only for a constant rate.
      let scalars = KerasOptimizer.leadingVariables(optimizer.configuration)
      try group.setAttribute(
        "weight_names", to: scalars.map { "\(name)/\($0)" } + slots.map { "\(name)/\($0.name)" })
      try inner.write([optimizer.iterations], shape: [], to: "iteration")
      if scalars.count == 2 { try writeLearningRate(plan, to: "learning_rate", in: inner) }
      for slot in slots { try Self.write(slot.value, named: slot.name, in: inner) }
    }
    try file.close()
  }

  private static func write(_ value: KerasExportPlan.Value, named name: String, in group: HDF5Group) throws {
    switch value {
    case .float(let tensor): try group.write(tensor.scalars, shape: tensor.shape, to: name)
    case .double(let tensor): try group.write(tensor.scalars, shape: tensor.shape, to: name)
    case .int64(let count): try group.write([count], shape: [], to: name)
    }
  }

  /// The optimizer's `learning_rate` variable: float32 as Keras keeps it
  /// under floatx float32, float64 for a float64 model (exact; Keras casts
  /// it to its variable's dtype when it loads).
  private func writeLearningRate(_ plan: KerasExportPlan, to name: String, in group: HDF5Group) throws {
    let rate = optimizer!.configuration.learningRate
    if plan.dtypeName == "float64" {
      try group.write([rate], shape: [], to: name)
    } else {
      try group.write([Float(rate)], shape: [], to: name)
    }
  }

  // MARK: Keras 3 archive

  /// Writes the archive at `url`, packing the weights written first at `weightsPath`.
  private func writeArchive(
    _ plan: KerasExportPlan, optimizerConfig: [String: Any]?, to url: URL, weightsPath: String, destination: String
  ) throws {
    var config = plan.modelConfig(modules: true)
    if let optimizerConfig {
      config["compile_config"] = compileConfig(optimizerConfig, legacy: false)
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
    var metadata: [String: Any] = [
      "keras_version": Self.writtenKerasVersion, "date_saved": formatter.string(from: Date()),
    ]
    var names: [String: Any] = [:]
    if let features = model.names.features { names["feature_names"] = features }
    if let classes = model.names.classes { names["class_names"] = classes }
    if !names.isEmpty { metadata["bpkit"] = names }

    let weightsURL = URL(fileURLWithPath: weightsPath)
    try writeWeights(plan, to: weightsPath)

    do {
      let archive = try Archive(url: url, accessMode: .create, pathEncoding: nil)
      for (name, object) in [("metadata.json", metadata), ("config.json", config)] {
        let data = Data(KerasJSON.text(object).utf8)
        try archive.addEntry(
          with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none
        ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
      }
      try archive.addEntry(with: "model.weights.h5", fileURL: weightsURL, compressionMethod: .none)
    } catch let error as KerasError {
      throw error
    } catch {
      throw KerasError.io(file: destination, detail: "cannot write the zip archive: \(error)")
    }
  }

  /// `model.weights.h5` as saving_lib's H5IOStore lays it out.
  private func writeWeights(_ plan: KerasExportPlan, to path: String) throws {
    let file = try HDF5File.create(atPath: path, overwrite: true)
    let root = try file.root
    func vars(_ path: String, name: String) throws -> HDF5Group {
      var group = root
      for part in (path.isEmpty ? [] : path.split(separator: "/").map(String.init)) {
        group = try group.contains(part) ? group.openGroup(part) : group.createGroup(part)
      }
      let vars = try group.createGroup("vars")
      try vars.setAttribute("name", to: name)
      return vars
    }
    _ = try vars("", name: "sequential")
    for layer in plan.layers {
      let name = layer.config["name"] as! String
      if layer.className == "SimpleRNN" {
        _ = try vars(String(layer.archivePath.dropLast("/cell".count)), name: name)
        let cell = try vars(layer.archivePath, name: "simple_rnn_cell")
        for (index, variable) in layer.variables.enumerated() {
          try Self.write(variable.value, named: "\(index)", in: cell)
        }
      } else {
        let group = try vars(layer.archivePath, name: name)
        for (index, variable) in layer.variables.enumerated() {
          try Self.write(variable.value, named: "\(index)", in: group)
        }
      }
    }
    if let optimizer, let serialized = KerasOptimizer.serialized(optimizer.configuration) {
      let group = try vars("optimizer", name: (serialized["config"] as! [String: Any])["name"] as! String)
      let scalars = KerasOptimizer.leadingVariables(optimizer.configuration).count
      try group.write([optimizer.iterations], shape: [], to: "0")
      if scalars == 2 { try writeLearningRate(plan, to: "1", in: group) }
      for (index, slot) in plan.optimizerSlots(optimizer, model: model).enumerated() {
        try Self.write(slot.value, named: "\(index + scalars)", in: group)
      }
    }
    try file.close()
  }
}
