import BPKit
import Foundation
import Testing
import _BPKitTestSupport

@Suite struct FileDifferenceTests {
  let model = try! FormatSamples.model(FormatSamples.denseNetwork())

  /// `model` with one weight element moved by `delta`.
  func nudged(_ model: Model, _ key: ParameterKey, by delta: Float) throws -> Model {
    var parameters = model.parameters
    parameters[key]!.scalars[0] += delta
    return try Model(network: model.network, parameters: parameters)
  }

  @Test func aFileEqualsItself() {
    let checkpoint = FormatSamples.checkpoint(model)
    let difference = FileDifference(.checkpoint(checkpoint), .checkpoint(checkpoint))
    #expect(difference.isIdentical)
    #expect(difference.identicalSummary == "identical: 7 tensors, 10 optimizer slots, training state")
    #expect(difference.text == "identical: 7 tensors, 10 optimizer slots, training state\n")
  }

  @Test func wallClockFactsAreNotCompared() {
    let first = FormatSamples.checkpoint(model)
    var second = first
    second.progress.elapsedSeconds += 10
    second.progress.history[0].seconds += 1
    second.createdAt = Date()
    second.bpkitVersion = "99.0"
    second.data?.path = "/elsewhere/iris.csv"
    #expect(FileDifference(.checkpoint(first), .checkpoint(second)).isIdentical)
  }

  @Test func aChangedWeightIsListedWithItsDifference() throws {
    let key = ParameterKey(layer: "dense_0", name: "kernel")
    let other = try nudged(model, key, by: 0.5)
    let difference = FileDifference(.model(model), .model(other))
    #expect(!difference.isIdentical)
    #expect(difference.differingTensors.map(\.name) == ["dense_0/kernel"])
    #expect(difference.text.hasPrefix("dense_0/kernel: max abs 0.5, max rel "))
    #expect(difference.text.hasSuffix("\ndifferent: 1 of 7 tensors\n"))
    #expect(FileDifference(.model(model), .model(other), tolerance: 0.5).isIdentical)
    #expect(
      FileDifference(.model(model), .model(other), tolerance: 0.5).text == "identical within 0.5: 7 tensors\n")
  }

  @Test func optimizerSlotsAndTrainingStateAreCompared() {
    let first = FormatSamples.checkpoint(model)
    var second = first
    second.optimizer.iterations += 1
    second.optimizer.slots["m"]![ParameterKey(layer: "output", name: "kernel")]!.scalars[1] = 42
    second.progress.cursor += 1
    second.progress.random.words[3] ^= 1
    second.progress.history[2].validationLoss! += 1e-9
    let difference = FileDifference(.checkpoint(first), .checkpoint(second))
    #expect(difference.differingTensors.map(\.name) == ["optimizer m/output/kernel"])
    #expect(
      difference.state.map(\.name) == ["optimizer iterations", "cursor", "random state", "history at epoch 3"])
    #expect(
      difference.text.hasSuffix("\ndifferent: 0 of 7 tensors, 1 of 10 optimizer slots, 4 training-state values\n"))
  }

  @Test func aModelAgainstACheckpointComparesTheWeightsOnly() {
    let difference = FileDifference(.model(model), .checkpoint(FormatSamples.checkpoint(model)))
    #expect(difference.isIdentical)
    #expect(difference.notCompared == ["optimizer state and training state: only in the second file"])
    #expect(
      difference.text
        == "not compared: optimizer state and training state: only in the second file\nidentical: 7 tensors\n")
  }

  @Test func differentArchitecturesAreReportedLayerByLayer() throws {
    let other = try FormatSamples.model(FormatSamples.denseNetwork(hidden: [7, 4]))
    let difference = FileDifference(.model(model), .model(other))
    #expect(!difference.isIdentical)
    #expect(difference.weights.isEmpty)
    #expect(
      difference.text == """
        layer 3: dense_1: dense 6 leaky_relu(0.1) vs dense_1: dense 4 leaky_relu(0.1)
        different architectures: weights and training state not compared

        """)
    let shorter = try FormatSamples.model(FormatSamples.denseNetwork(inputs: 3, hidden: [7]))
    #expect(
      FileDifference(.model(model), .model(shorter)).architecture.map(\.name) == [
        "input shape", "layer 3", "layers",
      ])
  }

  @Test func layersDifferingOnlyInTheirRegularizersHaveTheirWeightsCompared() throws {
    var network = model.network
    let index = try #require(network.layers.firstIndex { $0.name == "dense_0" })
    network.layers[index].regularizers = LayerRegularizers(kernel: Regularizer(l2: 0.01))
    let regularized = try Model(network: network, parameters: model.parameters)
    let difference = FileDifference(.model(model), .model(regularized))
    #expect(difference.architecture.isEmpty)
    #expect(!difference.isIdentical)
    #expect(difference.weights.count == model.parameters.count)
    #expect(difference.differingTensors.isEmpty)
    let name = "dense_0"
    let summary = LayerRegularizers(kernel: Regularizer(l2: 0.01)).summary
    #expect(difference.state.map { [$0.name, $0.first, $0.second] } == [["\(name) regularizers", "none", summary]])
    #expect(difference.text.contains("\(name) regularizers: none vs "), "\(difference.text)")
    #expect(!difference.text.contains("different architectures"), "\(difference.text)")
    let nudged = try nudged(regularized, ParameterKey(layer: "dense_0", name: "kernel"), by: 0.5)
    #expect(FileDifference(.model(model), .model(nudged)).differingTensors.map(\.name) == ["dense_0/kernel"])
  }
}
