internal import CKernels

/// A feed-forward network's steps for one sample, resolved once into raw
/// pointers, so that a ``Predictor``'s call of one sample goes from layer to
/// layer without the general forward pass's bookkeeping: no workspace to
/// prepare, no optional kernels or step payloads to copy (and retain), no
/// array to check for uniqueness, no exclusivity checks. A network of one
/// sample on one thread spends about a tenth of its time there otherwise.
///
/// Every number is computed by the calls the general pass makes, in the same
/// order: the product of each dense layer by `bpk_sgemm` from its bias (or by
/// the split kernels, which start from the bias and rectify in the same pass),
/// then the activation by ``Activation/forward(_:into:rows:width:stride:)``.
/// So the outputs are the general pass's bits (see ``Kernels``).
final class SampleProgram {
  /// One step of the network.
  struct Step {
    enum Kind {
      /// out = act(b + x·W).
      case dense
      /// out = (x − mean) / std (std 0 read as 1).
      case standardize
      /// A dropout layer: inference passes its inputs through.
      case passThrough
    }
    var kind: Kind
    var inputs: Int
    var units: Int
    var activation: Activation
    /// The kernel where it lies; a standardize step's means.
    var kernel: UnsafePointer<Float>
    /// The kernel cut by columns (``SplitKernels``), or `nil` when it runs whole.
    var split: UnsafePointer<Float>?
    /// The bias; a standardize step's standard deviations.
    var bias: UnsafePointer<Float>?
  }

  /// The split kernels the steps read (kept alive by this reference), or `nil`.
  let splitKernels: SplitKernels?
  private let steps: UnsafeMutableBufferPointer<Step>
  /// Two buffers the steps write in turn, each as wide as the widest step.
  private let buffers: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
  private let parts: Int32
  private let alone: Bool
  /// Alone: whether this call runs each cut kernel's parts last to first.
  private var reversed = false

  /// Whether `plan` is a network of vector inputs whose steps are all dense,
  /// standardize or dropout layers.
  static func fits(_ plan: NetworkPlan) -> Bool {
    guard !plan.network.input.isSequence else { return false }
    return plan.steps.allSatisfy { step in
      switch step {
      case .dense, .standardize, .dropout: true
      case .elman, .lstm, .gru: false
      }
    }
  }

  /// Resolves `plan` (which ``fits(_:)``) over `parameters`, reading the cut
  /// kernels of `split` where it has them.
  init(plan: NetworkPlan, parameters: UnsafePointer<Float>, split: SplitKernels?) {
    splitKernels = split
    parts = Int32(split?.parts ?? 1)
    alone = split?.alone ?? false
    var resolved: [Step] = []
    var widest = plan.network.input.features
    for (index, step) in plan.steps.enumerated() {
      switch step {
      case .dense(let d):
        resolved.append(
          Step(
            kind: .dense, inputs: d.inputWidth, units: d.units, activation: d.activation, kernel: parameters + d.kernel,
            split: split?.kernel(step: index), bias: d.bias.map { parameters + $0 }))
        widest = max(widest, d.units)
      case .standardize(let s):
        resolved.append(
          Step(
            kind: .standardize, inputs: s.width, units: s.width, activation: .linear, kernel: parameters + s.mean,
            split: nil, bias: parameters + s.std))
      case .dropout(let d):
        resolved.append(
          Step(
            kind: .passThrough, inputs: d.width, units: d.width, activation: .linear, kernel: parameters, split: nil,
            bias: nil))
      case .elman, .lstm, .gru:
        preconditionFailure("SampleProgram runs feed-forward networks only")
      }
    }
    steps = .allocate(capacity: resolved.count)
    _ = steps.initialize(from: resolved)
    buffers = (.allocate(capacity: widest), .allocate(capacity: widest))
  }

  deinit {
    steps.deallocate()
    buffers.0.deallocate()
    buffers.1.deallocate()
  }

  /// Runs one sample from `input` and writes its `outputWidth` outputs to `output`.
  func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, outputWidth: Int) {
    var x = input
    var target = buffers.0
    var spare = buffers.1
    for index in steps.indices {
      let step = steps[index]
      let y = target
      switch step.kind {
      case .dense:
        let units = Int32(step.units)
        let inputs = Int32(step.inputs)
        let relu: Bool = if case .relu = step.activation { true } else { false }
        var rectified = false
        if let cut = step.split {
          if alone {
            bpk_sgemm_split_rows_alone(
              1, units, inputs, x, inputs, cut, parts, step.bias, 0, relu ? 1 : 0, y, units, reversed ? 1 : 0)
          } else {
            bpk_sgemm_split_rows(1, units, inputs, x, inputs, cut, parts, step.bias, 0, relu ? 1 : 0, y, units)
          }
          rectified = relu
        } else {
          if let bias = step.bias { y.update(from: bias, count: step.units) }
          bpk_sgemm(0, 0, 1, units, inputs, x, inputs, step.kernel, units, step.bias == nil ? 0 : 1, y, units)
        }
        if !rectified {
          step.activation.forward(y, into: y, rows: 1, width: step.units, stride: step.units)
        }
      case .standardize:
        let mean = step.kernel
        let std = step.bias!
        for j in 0..<step.units {
          // A feature that was constant in the training data has std 0:
          // it is centred and left unscaled (as the general pass does).
          let scale = std[j] == 0 ? 1 : std[j]
          y[j] = (x[j] - mean[j]) / scale
        }
      case .passThrough:
        continue
      }
      x = UnsafePointer(y)
      swap(&target, &spare)
    }
    reversed.toggle()
    output.update(from: x, count: outputWidth)
  }
}
