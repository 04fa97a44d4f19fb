import Foundation

/// h5py and PyTorch writing and reading the same tensors, for comparison.
enum PeerCheckpointBenchmark {
  struct Figure {
    var key: String
    var name: String
    var seconds: Double
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Runs `Benchmarks/peer_checkpoint.py` with `python` and collects its figures.
  static func measure(
    python: String, shapes: [(layer: String, kernel: [Int], bias: [Int])], runs: Int, folder: URL
  ) throws -> [Figure] {
    let width = shapes[0].bias[0]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [try scriptPath(), folder.path, String(shapes.count), String(width), String(runs)]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
      try process.run()
    } catch {
      throw Failure(description: "cannot run '\(python)': \(error.localizedDescription)")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Failure(
        description: "'\(python)' failed measuring h5py and torch (it needs h5py, numpy and torch): "
          + String(decoding: message, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " "))
    }
    let names = [
      "h5py_write": "h5py write", "h5py_read": "h5py read", "torch_save": "torch.save",
      "torch_load": "torch.load",
    ]
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let parts = line.split(separator: " ")
      guard parts.count == 2, let seconds = Double(parts[1]), let name = names[String(parts[0])] else { return nil }
      return Figure(key: String(parts[0]), name: name, seconds: seconds)
    }
  }

  /// The script, in the repository's Benchmarks folder: from the current
  /// folder (a clone's root) or from where this file was compiled.
  static func scriptPath() throws -> String {
    let name = "Benchmarks/peer_checkpoint.py"
    let compiledRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = [name, compiledRoot.appendingPathComponent(name).path]
    guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw Failure(description: "cannot find \(name); run bpkit bench from the root of a bpkit clone")
    }
    return path
  }
}
