import BPKit
import Foundation
import Testing
import _BPKitTestSupport

/// NaN or infinite weights, written by bpkit itself in every format it
/// exports: each reader refuses them by name rather than loading a model that
/// predicts NaN (bpkit HDF5 and JSON are covered by ``ValueDomainTests``).
@Suite struct NonFiniteWeightsTests {
  let folder: TemporaryDirectory
  let model: Model
  let key: ParameterKey

  init() throws {
    folder = try TemporaryDirectory()
    var model = try FormatSamples.model(FormatSamples.denseNetwork())
    // A trainable weight of the first dense layer, which every format keeps.
    key = ParameterKey(layer: "dense_0", name: "kernel")
    var tensor = model.parameters[key]!
    tensor.scalars[2] = .nan
    try model.setParameter(tensor, for: key)
    // A standard deviation Keras' Normalization can hold.
    let std = ParameterKey(layer: "scale", name: "std")
    try model.setParameter(Tensor(shape: model.parameters[std]!.shape, scalars: [1, 2, 3, 4, 5]), for: std)
    self.model = model
  }

  @Test(arguments: [KerasModel.Format.archive, .legacyHDF5])
  func kerasFilesWithNaNWeightsAreRefused(format: KerasModel.Format) throws {
    let path = folder.path(format == .archive ? "nan.keras" : "nan.h5")
    try KerasModel(model: model).write(toPath: path, format: format)
    // An archive's weights are named by the user's file and the member holding them.
    let named = format == .archive ? "\(path), member model.weights.h5" : path
    #expect {
      try KerasModel(contentsOfFile: path)
    } throws: { error in
      guard case .invalidValue(named, _, let reason) = reason(of: error) as? FormatError else { return false }
      return reason == "element 2 is nan; weights must be finite numbers"
    }
  }

  @Test func safetensorsFilesWithNaNWeightsAreRefused() throws {
    let url = folder.url.appendingPathComponent("nan.safetensors")
    try model.writeSafetensors(to: url)
    #expect {
      try Model(safetensorsContentsOf: url)
    } throws: { error in
      guard case .invalidTensor(url.path, "\(key)", let detail) = reason(of: error) as? SafetensorsError else {
        return false
      }
      return detail == "element 2 is nan; values must be finite"
    }
  }

  @Test func onnxFilesWithNaNWeightsAreRefused() throws {
    let url = folder.url.appendingPathComponent("nan.onnx")
    try model.writeONNX(to: url)
    #expect {
      try Model(onnxContentsOf: url)
    } throws: { error in
      guard case .invalidTensor(url.path, "\(key)", let detail) = reason(of: error) as? ONNXError else { return false }
      return detail == "element 2 is nan; values must be finite"
    }
  }
}
