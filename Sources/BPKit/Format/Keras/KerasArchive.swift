import Foundation
import HDF5
import ZIPFoundation

/// Keras 3 `.keras` archives (keras/src/saving/saving_lib.py): a zip of
/// `config.json` (the model, with `compile_config`), `metadata.json` and
/// `model.weights.h5`, where each layer's variables are the datasets
/// `layers/<name>/vars/0`, `1`, ... and the optimizer's `optimizer/vars/0`, ...
enum KerasArchive {
  static func holdsKerasModel(_ path: String) -> Bool {
    guard let archive = try? Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil) else {
      return false
    }
    return archive["config.json"] != nil && archive["model.weights.h5"] != nil
  }

  /// The largest JSON member (`config.json`, `metadata.json`) read.
  static let maximumConfigurationBytes = 16 << 20

  static func read(_ path: String, trust: FileTrust) throws -> KerasModel {
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      throw KerasError.notKerasModel(file: path, detail: "not a readable zip archive")
    }
    try refuseDuplicateMembers(archive, file: path)
    let config = try jsonEntry("config.json", in: archive, file: path)
    let metadata = try? jsonEntry("metadata.json", in: archive, file: path)
    let plan = try KerasNetworkPlan.make(config: config, file: path)
    return try withExtractedWeights(archive, file: path, trust: trust) { weightsFile in
      let root = try weightsFile.root
      let model = try plan.model(file: path) { source, index, _ in
        try KerasLegacyHDF5.variableIfPresent("\(source.archivePath)/vars/\(index)", in: root, file: weightsFile.path)
      }
      // bpkit keeps the model's feature and class names in metadata.json, which Keras ignores.
      let bpkit = metadata?["bpkit"] as? [String: Any]
      let names = ModelNames(
        features: bpkit?["feature_names"] as? [String], classes: bpkit?["class_names"] as? [String])
      let named: Model
      do {
        named = try model.named(names)
      } catch {
        throw KerasError.invalidConfiguration(file: path, detail: "metadata.json: \(error)")
      }
      var result = KerasModel(model: named, kerasVersion: metadata?["keras_version"] as? String)
      result.format = .archive
      result.warnings += plan.warnings
      let compile = config["compile_config"] as? [String: Any]
      result.importTraining(compile.map { ($0["loss"], $0["optimizer"]) }) {
        (configuration) throws(KerasOptimizer.Skipped) in
        try optimizerState(configuration, root: root, model: model)
      }
      return result
    }
  }

  private static func optimizerState(
    _ configuration: OptimizerConfiguration, root: HDF5Group, model: Model
  ) throws(KerasOptimizer.Skipped) -> OptimizerState {
    do {
      guard try contains(root, "optimizer/vars/0") else { return OptimizerState(configuration: configuration) }
      let vars = try root.openGroup("optimizer/vars")
      let count = try vars.children().count
      let file = root.file.path
      let iterations = try KerasOptimizer.iterations(try KerasLegacyHDF5.variable("0", in: vars, file: file))
      let first = KerasOptimizer.leadingVariables(configuration).count
      let slots = try (first..<max(count, first)).map {
        try KerasLegacyHDF5.variable(String($0), in: vars, file: file)
      }
      return try KerasOptimizer.state(configuration, iterations: iterations, slotVariables: slots, model: model)
    } catch let skipped as KerasOptimizer.Skipped {
      throw skipped
    } catch {
      throw KerasOptimizer.Skipped(reason: "the optimizer variables cannot be read: \(error)")
    }
  }

  /// Whether a path of groups and a dataset exists, checking each level.
  static func contains(_ root: HDF5Group, _ path: String) throws -> Bool {
    var group = root
    let parts = path.split(separator: "/").map(String.init)
    for (index, part) in parts.enumerated() {
      guard try group.contains(part) else { return false }
      if index < parts.count - 1 {
        guard try group.kindOfChild(part) == .group else { return false }
        group = try group.openGroup(part)
      }
    }
    return true
  }

  /// Refuses an archive that holds two members of one name: zip readers
  /// disagree on which one counts (bpkit's took the first, Keras' Python
  /// `zipfile` the last), so the archive means two different models.
  static func refuseDuplicateMembers(_ archive: Archive, file: String) throws {
    var seen = Set<String>()
    for entry in archive where !seen.insert(entry.path).inserted {
      throw KerasError.invalidConfiguration(
        file: file,
        detail: "the archive holds more than one member named '\(entry.path)'; Keras and bpkit would "
          + "read different ones")
    }
  }

  private struct TooLarge: Error {}

  private static func jsonEntry(_ name: String, in archive: Archive, file: String) throws -> [String: Any] {
    guard let entry = archive[name] else {
      throw KerasError.notKerasModel(file: file, detail: "the archive has no \(name)")
    }
    let limit = maximumConfigurationBytes
    guard entry.uncompressedSize <= UInt64(limit) else {
      throw OpeningError.tooLarge(file: file, part: name, bytes: Int(clamping: entry.uncompressedSize), limit: limit)
    }
    var data = Data()
    do {
      // The declared size may lie: stop as soon as the data passes the limit.
      _ = try archive.extract(entry, skipCRC32: false) { chunk in
        guard data.count + chunk.count <= limit else { throw TooLarge() }
        data.append(chunk)
      }
    } catch is TooLarge {
      throw OpeningError.tooLarge(file: file, part: name, bytes: data.count, limit: limit)
    } catch {
      throw KerasError.io(file: file, detail: "cannot extract \(name): \(error)")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw KerasError.invalidConfiguration(file: file, detail: "\(name) is not a JSON object")
    }
    return object
  }

  /// What messages call the archive's weights: the user's file and the
  /// member, never a name that exists only in memory.
  static func weightsName(_ file: String) -> String { "\(file), member model.weights.h5" }

  /// libhdf5 reads files, not zip entries: the weights are extracted into
  /// memory (``KerasWeightsExtraction``), never to disk, and opened as a file
  /// image under the same policy as any HDF5 file.
  private static func withExtractedWeights<R>(
    _ archive: Archive, file: String, trust: FileTrust, _ body: (HDF5File) throws -> R
  ) throws -> R {
    guard let entry = archive["model.weights.h5"] else {
      throw KerasError.notKerasModel(file: file, detail: "the archive has no model.weights.h5")
    }
    let image = try KerasWeightsExtraction.extract(entry, from: archive, file: file)
    let weights: HDF5File
    do {
      weights = try FormatError.wrappingHDF5Errors {
        try OpeningPolicy.openHDF5(image: image, name: weightsName(file), trust: trust)
      }
    } catch {
      throw KerasError.refusedMember(file: file, member: "model.weights.h5", detail: "\(error)")
    }
    // libhdf5 holds its own copy of the image.
    return try body(weights)
  }
}
