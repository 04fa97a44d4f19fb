import Foundation
import HDF5

/// Small sequence data sets written as HDF5 files for recurrent-network tests.
public enum SequenceData {
  /// Noisy sine windows: x is [samples, steps, 1], y [samples, 1] the next value.
  ///
  /// The values come from a fixed formula with deterministic "noise", so the
  /// file's bytes are the same on every run.
  public static func writeNoisySine(to path: String, samples: Int = 256, steps: Int = 12) throws {
    var x: [Float] = []
    var y: [Float] = []
    func value(_ t: Int) -> Float {
      let noise = Float((t * 7919) % 101) / 101 - 0.5
      return sin(Float(t) * 0.3) + 0.05 * noise
    }
    for sample in 0..<samples {
      let start = sample * 3
      for step in 0..<steps { x.append(value(start + step)) }
      y.append(value(start + steps))
    }
    let root = try HDF5File.create(atPath: path, overwrite: true).root
    try root.write(x, shape: [samples, steps, 1], to: "x")
    try root.write(y, shape: [samples, 1], to: "y")
  }
}
