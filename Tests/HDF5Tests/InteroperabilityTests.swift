import Foundation
import HDF5
import Testing
import _BPKitTestSupport

@Suite struct InteroperabilityTests {
  @Test func readsKerasModelConfigAndWeights() throws {
    let root = try HDF5File(openingAtPath: Fixtures.path("keras/mlp_tanh_softmax.h5")).root
    let config = try root.stringAttribute("model_config")
    let json = try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any]
    #expect(json?["class_name"] as? String == "Sequential")
    let kernel = try root.openDataset("model_weights/hidden/sequential/hidden/kernel")
    #expect(kernel.shape == [4, 8])
    let values = try kernel.read(as: Float.self)
    #expect(values.count == 32)
    #expect(values.allSatisfy { $0.isFinite })
    #expect(Set(values).count > 1)
  }

  @Test func readsKerasOptimizerState() throws {
    let sgd = try HDF5File(openingAtPath: Fixtures.path("keras/mlp_tanh_softmax.h5")).root
      .openGroup("optimizer_weights/sgd")
    #expect(try sgd.openDataset("iteration").read(as: Int64.self).first! > 0)
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/h5dump")))
  func h5dumpReadsWhatTheModuleWrites() throws {
    let folder = try TemporaryDirectory()
    let path = folder.path("dump.h5")
    do {
      let root = try HDF5File.create(atPath: path).root
      try root.setAttribute("kind", to: "model")
      try root.createGroup("dense").write(
        [Float(0.5), -1.25, 3], shape: [3], to: "bias", options: .init(deflateLevel: 4, fletcher32: true))
    }
    let dump = try runProcess("/usr/bin/h5dump", [path])
    #expect(dump.status == 0)
    #expect(dump.output.contains("\"model\""))
    #expect(dump.output.contains("0.5, -1.25, 3"))
    #expect(dump.output.contains("H5T_IEEE_F32LE"))
  }
}
