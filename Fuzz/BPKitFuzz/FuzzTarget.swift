import BPKit
import Foundation

/// The parsers the fuzzer drives, each given arbitrary bytes.
///
/// Every error is an expected outcome; only a crash, a hang or a sanitizer
/// report is a finding.
enum FuzzTarget: String, CaseIterable {
  /// Any file bpkit opens (``BPKitFile/open(_:trust:)``): bpkit HDF5 models and
  /// checkpoints, bpkit JSON documents and Keras files, told apart by content.
  case model
  /// bpkit JSON documents, parsed from memory.
  case json
  /// CSV data with a header, as `bpkit train` reads it.
  case csv

  /// A file for the targets that read paths: one per process, rewritten for
  /// every input, in memory where `/dev/shm` exists.
  static let scratchPath: String = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return (folder as NSString).appendingPathComponent("bpkit-fuzz-\(getpid())")
  }()

  /// Runs one input through the parser.
  func run(_ bytes: UnsafeRawBufferPointer) {
    switch self {
    case .model:
      guard write(bytes) else { return }
      // Trusted: the parsers themselves are the target, in this process,
      // not the child-process probe that contains them for untrusted files.
      if let file = try? BPKitFile.open(URL(fileURLWithPath: Self.scratchPath), trust: .trusted) {
        // Whatever loads must also be usable: predicting on it must not trap.
        let model = file.model
        let shape = [1] + Self.sampleShape(model)
        let count = shape.reduce(1, *)
        if count <= 1 << 16 {
          _ = try? model.predict(Tensor(shape: shape, scalars: [Float](repeating: 0.5, count: count)))
        }
      }
    case .json:
      _ = try? BPKitJSON.read(Data(bytes))
    case .csv:
      guard write(bytes) else { return }
      _ = try? Dataset.readCSV(path: Self.scratchPath, targetColumns: ["label"], requireFinite: true)
    }
  }

  private func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let descriptor = open(Self.scratchPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var offset = 0
    while offset < bytes.count {
      let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      guard written > 0 else { return false }
      offset += written
    }
    return true
  }

  /// One sample's shape.
  private static func sampleShape(_ model: Model) -> [Int] {
    switch model.network.input {
    case .vector(let features): [features]
    case .sequence(let steps, let features): [steps ?? 1, features]
    }
  }
}
