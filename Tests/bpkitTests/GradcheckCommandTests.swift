import Testing
import _BPKitTestSupport

@Suite struct GradcheckCommandTests {
  @Test func passingCheckExitsZeroAndListsEveryTensor() throws {
    let result = try BPKitBinary.run(
      "gradcheck", "--layers", "4x3,rnn5:tanh:seq,rnn4,3:softmax", "--loss", "cross_entropy")
    #expect(result.status == 0, "\(result.error)")
    for tensor in [
      "elman_1/kernel", "elman_1/recurrent_kernel", "elman_1/bias", "elman_2/kernel", "dense_1/kernel", "dense_1/bias",
    ] {
      #expect(result.output.contains(tensor))
    }
    #expect(result.output.contains("ok: all 8 tensors below 1e-06"))
  }

  /// Keras' probability clip, inactive at these probabilities: the clipped
  /// loss's gradient is the unclipped one, within 1e-6; a loss that reads no
  /// probabilities is refused naming the flag.
  @Test func theProbabilityClipIsChecked() throws {
    let result = try BPKitBinary.run(
      "gradcheck", "--layers", "4,5:tanh,3:softmax", "--loss", "cross_entropy", "--labels", "--clip-probabilities",
      "keras")
    #expect(result.status == 0, "\(result.error)")
    #expect(result.output.contains("probabilities clipped to [1e-07, 1 − 1e-07]"), "\(result.output)")
    #expect(result.output.contains("ok: all 4 tensors below 1e-06"), "\(result.output)")
    let refused = try BPKitBinary.run("gradcheck", "--layers", "3,2", "--clip-probabilities", "keras")
    #expect(refused.status == 3)
    #expect(refused.error.contains("drop --clip-probabilities"), "\(refused.error)")
  }

  @Test func failingBoundExitsThree() throws {
    // No finite-difference estimate is exact; a bound of 1e-300 cannot be met.
    let result = try BPKitBinary.run("gradcheck", "--layers", "3,4:tanh,2", "--tolerance", "1e-300")
    #expect(result.status == 3)
    #expect(result.output.contains("FAILED"))
  }

  @Test func mismatchedLossIsBadInput() throws {
    let result = try BPKitBinary.run("gradcheck", "--layers", "3,2", "--loss", "cross_entropy")
    #expect(result.status == 3)
    #expect(result.error.contains("loss 'cross_entropy' needs a softmax output layer"))
  }

  @Test func badLayerSpecificationIsAUsageError() throws {
    let result = try BPKitBinary.run("gradcheck", "--layers", "3,4:swiglu")
    #expect(result.status != 0 && result.status != 3)
    #expect(result.error.contains("layer 1 '4:swiglu': unknown activation or option 'swiglu'"))
  }
}
