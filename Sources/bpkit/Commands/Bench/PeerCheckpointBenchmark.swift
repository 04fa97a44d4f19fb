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

  /// Runs the script below with `python` and collects its figures.
  static func measure(
    python: String, shapes: [(layer: String, kernel: [Int], bias: [Int])], runs: Int, folder: URL
  ) throws -> [Figure] {
    let width = shapes[0].bias[0]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, folder.path, String(shapes.count), String(width), String(runs)]
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

  /// Same layout as bpkit's benchmark: layers of a [w, w] kernel and a [w] bias,
  /// Float32; h5py with contiguous datasets and no filters, torch with a state dict.
  static let script = """
    import os, sys, time, statistics
    import numpy as np, h5py, torch
    folder, layers, width, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rng = np.random.default_rng(1)
    tensors = {}
    for i in range(layers):
        tensors[f"dense_{i}/kernel"] = rng.random((width, width), dtype=np.float32) - 0.5
        tensors[f"dense_{i}/bias"] = rng.random((width,), dtype=np.float32) - 0.5
    def timed(f):
        start = time.perf_counter(); f(); return time.perf_counter() - start
    h5 = os.path.join(folder, "peer.h5"); pt = os.path.join(folder, "peer.pt")
    def h5_write():
        with h5py.File(h5, "w") as f:
            for k, v in tensors.items(): f.create_dataset(k, data=v)
    def h5_read():
        with h5py.File(h5, "r") as f:
            out = {}
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset): out[name] = obj[()]
            f.visititems(visit)
    state = {k.replace("/", "."): torch.from_numpy(v) for k, v in tensors.items()}
    def torch_save(): torch.save(state, pt)
    def torch_load(): torch.load(pt)
    results = {"h5py_write": [], "h5py_read": [], "torch_save": [], "torch_load": []}
    for _ in range(runs):
        results["h5py_write"].append(timed(h5_write)); results["h5py_read"].append(timed(h5_read))
        results["torch_save"].append(timed(torch_save)); results["torch_load"].append(timed(torch_load))
    for k, v in results.items(): print(k, statistics.median(v))
    os.remove(h5); os.remove(pt)
    """
}
