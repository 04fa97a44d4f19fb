import BPKit
import Testing

@Suite struct ModelInitializationTests {
  @Test func sameSeedGivesBitwiseSameWeights() throws {
    let network = try NetworkDescription(layerSpecification: "8x5,std,rnn16:seq,rnn8,4:softmax")
    let a = try Model(initializing: network, seed: 99)
    let b = try Model(initializing: network, seed: 99)
    let c = try Model(initializing: network, seed: 100)
    #expect(a == b)
    #expect(a != c)
  }

  @Test func kernelsAreGlorotUniformAndBiasesZero() throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: "30,20:relu"), seed: 1)
    let kernel = model.parameters[ParameterKey(layer: "dense_1", name: "kernel")]!.scalars
    let limit = Float((6.0 / 50).squareRoot())
    #expect(kernel.allSatisfy { abs($0) <= limit })
    #expect(kernel.max()! > limit * 0.9 && kernel.min()! < -limit * 0.9)
    #expect(model.parameters[ParameterKey(layer: "dense_1", name: "bias")]!.scalars.allSatisfy { $0 == 0 })
  }

  @Test func recurrentKernelsAreOrthogonal() throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: "3x4,rnn12"), seed: 2)
    let u = model.parameters[ParameterKey(layer: "elman_1", name: "recurrent_kernel")]!.scalars
    for i in 0..<12 {
      for j in 0..<12 {
        var dot: Float = 0
        for k in 0..<12 { dot += u[k * 12 + i] * u[k * 12 + j] }
        #expect(abs(dot - (i == j ? 1 : 0)) < 1e-5)
      }
    }
  }

  @Test func standardizeStartsAsIdentity() throws {
    let model = try Model(initializing: try NetworkDescription(layerSpecification: "3,std,2"), seed: 2)
    #expect(model.parameters[ParameterKey(layer: "standardize_1", name: "mean")]!.scalars == [0, 0, 0])
    #expect(model.parameters[ParameterKey(layer: "standardize_1", name: "std")]!.scalars == [1, 1, 1])
  }
}
