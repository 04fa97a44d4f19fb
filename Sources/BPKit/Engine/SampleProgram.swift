internal import CKernels

/// A feed-forward network's steps for one sample, resolved once over a copy
/// of the weights laid out in the order the steps read them, so that a
/// ``Predictor``'s call of one sample goes from layer to layer without the
/// general forward pass's bookkeeping: no workspace to prepare, no optional
/// kernels or step payloads to copy (and retain), no array to check for
/// uniqueness, no exclusivity checks. A network of one sample on one thread
/// spends about a tenth of its time there otherwise.
///
/// Every number is computed by the calls the general pass makes, in the same
/// order: each dense layer's product by the row kernel from its bias (over
/// the threads, or in alternating halves on one, for the large kernels cut
/// by columns as ``SplitKernels`` cuts them; rectified in the same pass), then
/// the other activations by ``Activation/forward(_:into:rows:width:stride:)``.
/// So the outputs are the general pass's bits (see ``Kernels``), wherever the
/// copy lies.
final class SampleProgram {
  /// One step of the network; offsets count floats from the start of `weights`.
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
    /// The kernel, whole or cut in `parts` (bpk_split_pack's layout); a
    /// standardize step's means.
    var kernel: Int
    /// Whether the kernel is cut by columns.
    var cut: Bool
    /// The bias; a standardize step's standard deviations.
    var bias: Int?
  }

  /// The threads a cut kernel's parts run on (1 when nothing is cut).
  let parts: Int
  /// Whether the cut kernels' parts run one after another on the calling thread.
  let alone: Bool
  /// The room holding the weights the steps read, in their order, from
  /// `weightsStart`. The steps read them by offset, so a copy put here (see
  /// `choosePlacement(input:outputWidth:)`) changes where they are read and
  /// no number.
  var weights: WeightBuffer
  /// Where in `weights` the program's first weight lies.
  var weightsStart = 0
  /// The number of weights (and biases, means and deviations) the steps read.
  let weightCount: Int
  /// One-sample calls run since the program was made.
  private(set) var calls = 0
  /// Whether the program has tried other places for its weights (see
  /// `choosePlacement(input:outputWidth:)`).
  var placementTried = false
  private let steps: UnsafeMutableBufferPointer<Step>
  /// Two buffers the steps write in turn, each as wide as the widest step.
  private let buffers: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
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

  /// Resolves `plan` (which ``fits(_:)``) over a copy of `parameters`, with
  /// the large kernels cut in `parts` parts (``SplitKernels``'s choice of
  /// kernels) when `parts` is above 1, run on the calling thread when `alone`.
  init(plan: NetworkPlan, parameters: UnsafePointer<Float>, parts: Int, alone: Bool) {
    self.parts = parts
    self.alone = alone
    var resolved: [Step] = []
    // Where each region of the copy comes from: offset in the copy, source, count, cut.
    var regions: [(offset: Int, source: Int, count: Int, cut: (units: Int, inputs: Int)?)] = []
    var end = 0
    func place(_ source: Int, count: Int, cut: (units: Int, inputs: Int)? = nil) -> Int {
      let offset = end
      regions.append((offset, source, count, cut))
      // Each region starts on a 64-byte line.
      end += (count + 15) / 16 * 16
      return offset
    }
    var widest = plan.network.input.features
    for step in plan.steps {
      switch step {
      case .dense(let d):
        let cut = parts > 1 && SplitKernels.isCut(d)
        let kernel = place(d.kernel, count: d.units * d.inputWidth, cut: cut ? (d.units, d.inputWidth) : nil)
        resolved.append(
          Step(
            kind: .dense, inputs: d.inputWidth, units: d.units, activation: d.activation, kernel: kernel, cut: cut,
            bias: d.bias.map { place($0, count: d.units) }))
        widest = max(widest, d.units)
      case .standardize(let s):
        resolved.append(
          Step(
            kind: .standardize, inputs: s.width, units: s.width, activation: .linear,
            kernel: place(s.mean, count: s.width), cut: false, bias: place(s.std, count: s.width)))
      case .dropout(let d):
        resolved.append(
          Step(
            kind: .passThrough, inputs: d.width, units: d.width, activation: .linear, kernel: 0, cut: false, bias: nil))
      case .elman, .lstm, .gru:
        preconditionFailure("SampleProgram runs feed-forward networks only")
      }
    }
    weightCount = end
    weights = WeightBuffer(count: end)
    for region in regions {
      if let cut = region.cut {
        bpk_split_pack(
          Int32(cut.units), Int32(cut.inputs), parameters + region.source, Int32(cut.units), Int32(parts),
          weights.pointer + region.offset)
      } else {
        (weights.pointer + region.offset).update(from: parameters + region.source, count: region.count)
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
    calls &+= 1
    let base = UnsafePointer(weights.pointer + weightsStart)
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
        let kernel = base + step.kernel
        let bias = step.bias.map { base + $0 }
        if step.cut && !alone {
          bpk_sgemm_split_rows(1, units, inputs, x, inputs, kernel, Int32(parts), bias, 0, relu ? 1 : 0, y, units)
        } else {
          // A whole kernel is one part: the row kernel over all of its
          // columns, as bpk_sgemm runs a single row.
          let cutParts: Int32 = step.cut ? Int32(parts) : 1
          bpk_sgemm_split_rows_alone(
            1, units, inputs, x, inputs, kernel, cutParts, bias, 0, relu ? 1 : 0, y, units, reversed ? 1 : 0)
        }
        if !relu {
          step.activation.forward(y, into: y, rows: 1, width: step.units, stride: step.units)
        }
      case .standardize:
        let mean = base + step.kernel
        let std = base + step.bias!
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
