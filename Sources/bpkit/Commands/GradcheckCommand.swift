import ArgumentParser
import BPKit
import Foundation

/// `bpkit gradcheck`: compares the engine's analytic gradients with numerical ones.
struct GradcheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gradcheck",
    abstract: "Check backpropagation against numerical gradients, in Float64.",
    discussion: """
      Builds the network given by --layers with weights drawn from --seed, \
      draws random inputs and targets, and compares every weight's analytic \
      gradient with a fourth-order central difference. Prints the worst \
      relative error of each weight tensor. Exits 0 when all are below \
      --tolerance, 3 otherwise.

      LAYERS: the input, then layers, separated by commas: \
      '784,128:relu,10:softmax'; '32x16,rnn64:tanh,1' (32 steps of 16 \
      features, an Elman layer of 64 tanh units, a linear output); \
      'lstm32' and 'gru32' are LSTM and GRU layers ('recurrent=ACT' sets \
      their gates' activation, 'reset_before' a GRU's reset_after=False); \
      'rnn32:seq' returns sequences; 'nobias' drops a bias; 'l2=0.01' \
      (and 'l1=', 'bias_l2=', 'recurrent_l2=', ...) adds a regularizer's \
      penalty to the loss checked; 'std' is a \
      standardize layer; 'dropout0.2' a dropout layer (checked with fixed \
      masks, drawn from --seed); activations: linear, sigmoid, tanh, relu, \
      leaky_relu(ALPHA), elu(ALPHA), softmax, hard_sigmoid, gelu, gelu_tanh, \
      silu, softplus, softsign, selu, hard_silu, relu6, exponential, mish, \
      log_softmax.
      """
  )

  @Option(help: "The network, e.g. '4,8:tanh,3:softmax' or '5x3,rnn6:tanh,2'.")
  var layers: String

  @Option(
    help: ArgumentHelp(
      "The loss: mse, mae, huber, cross-entropy or sparse-cross-entropy (softmax output), binary-cross-entropy "
        + "(sigmoid output), or cross-entropy-from-logits, sparse-cross-entropy-from-logits, "
        + "binary-cross-entropy-from-logits (linear output)."))
  var loss: LossOption = .mse

  @Option(parsing: .unconditional, help: "The seed of the weights, inputs and targets.")
  var seed: UInt64 = 1

  @Option(parsing: .unconditional, help: "Samples in the batch.")
  var batchSize = 4

  @Option(parsing: .unconditional, help: "Time steps per sample, for sequence inputs given as '?xFEATURES'.")
  var steps = 4

  @Option(
    parsing: .unconditional,
    help: "Check truncated backpropagation through time over this many steps (recurrent layers); default: full.")
  var bpttSteps: Int?

  @Flag(help: "Give cross-entropy integer class labels instead of one-hot rows.")
  var labels = false

  @Option(
    help: ArgumentHelp(
      "Check the cross-entropy with Keras' probability clip: keras (ε = 1e-7), ε, or none.", valueName: "epsilon"))
  var clipProbabilities: String?

  @Option(parsing: .unconditional, help: "The largest relative error accepted.")
  var tolerance = 1e-6

  func validate() throws {
    do {
      _ = try NetworkDescription(layerSpecification: layers)
    } catch {
      throw ValidationError("--layers: \(error)")
    }
    guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
    guard steps > 0 else { throw ValidationError("--steps must be at least 1") }
    if let bpttSteps, bpttSteps < 1 { throw ValidationError("--bptt-steps must be at least 1") }
    guard tolerance > 0 else { throw ValidationError("--tolerance must be greater than 0") }
  }

  func run() throws {
    try ExitStatus.reporting {
      let network = try NetworkDescription(layerSpecification: layers)
      let model = try Model(initializing: network, seed: seed)
      var check = GradientCheck(
        model: model, loss: loss.loss, batch: batchSize, steps: steps, useLabels: labels, seed: seed,
        bpttSteps: bpttSteps)
      check.probabilityClip = try clipProbabilities.map { text throws(BPKitError) in
        try ProbabilityClip(specification: text)
      }?.value
      let results = try check.run()
      print(
        "gradcheck \(layers), loss \(loss.rawValue), batch size \(batchSize), seed \(seed)"
          + (bpttSteps.map { ", BPTT truncated to \($0) steps" } ?? "")
          + (check.probabilityClip.map { ", probabilities clipped to \(ProbabilityClip.summary($0))" } ?? "")
          + ": Float64, "
          + "4th-order central differences, h = \(check.step)")
      let width = max(6, results.map { $0.key.description.count }.max() ?? 0)
      print(pad("tensor", width) + "  worst rel. error  at     analytic        numerical")
      for result in results {
        print(
          pad(result.key.description, width) + "  " + pad(format(result.worstRelativeError), 15) + "  "
            + pad("\(result.worstIndex)", 5) + "  " + pad(format(result.analytic), 14) + "  "
            + format(result.numerical))
      }
      let failures = results.filter { !($0.worstRelativeError < tolerance) }
      if failures.isEmpty {
        print("ok: all \(results.count) tensors below \(tolerance)")
      } else {
        print("FAILED: \(failures.count) of \(results.count) tensors at or above \(tolerance)")
        throw ExitCode(ExitStatus.badInput)
      }
    }
  }

  private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  private func format(_ value: Double) -> String { String(format: "%.3e", value) }
}
